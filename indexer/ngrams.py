"""Counts of syllables, and of syllables side by side, beside each segment: the index's own language model.

Restoring diacritics in context (:mod:`portal.restore`) needs how often each syllable occurs and
how often one follows another (and a third follows both). After a build, each new segment gets
``<segment>.ngrams.<part>.npy`` files beside its posting arrays (Whoosh's clean-up removes them
with the segment), counted from those arrays' positions: nothing is analyzed twice. Counts are
keyed by 64-bit hashes of the syllables, whichever field they come from, so that a generation's
counts are the sums of its segments'. A deleted document's syllables count until its segment is
merged away: they are real text of the collection all the same.
"""

import concurrent.futures
import multiprocessing
import os

import numpy as np
from whoosh import index as whoosh_index

from indexer.postarrays import SegmentArrays
from indexer.postarrays import pair_keys
from indexer.postarrays import term_key

# unigrams, pairs (syllables side by side), triples: each sorted keys with their counts; pairs and
# triples also with the key of what they start with (``first``), pairs with their last syllable's.
ORDERS = ("uni", "pair", "triple")
COLUMNS = {"uni": ("keys", "counts"), "pair": ("keys", "counts", "firsts", "lasts"), "triple": ("keys", "counts", "firsts")}
PARTS = tuple(f"{order}{column}" for order, columns in COLUMNS.items() for column in columns)
# A sequence counted once in the whole collection says little and costs memory in every worker;
# how many distinct ones follow each syllable or pair still counts them (see :func:`summed_segments`).
MIN_COUNT = 2
# The generation's counts, summed once by the build (a worker opening it only reads them), with
# the segments they are of: a generation made of other segments sums its own when opened.
GENERATION_FILE = "ngrams.npz"


def syllable_keys(syllables) -> np.ndarray:
    """Field-independent 64-bit keys of syllables (lower case, as the syllable fields index them)."""
    return np.array([term_key("", s) for s in syllables], dtype=np.uint64)


def sequence_keys(*keys: np.ndarray) -> np.ndarray:
    """Keys of syllable sequences from the keys of their syllables, position by position."""
    combined = keys[0]
    for following in keys[1:]:
        combined = pair_keys(combined, following)
    return combined


def summed(keys: np.ndarray, counts: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sort keys and add up the counts of equal ones; of each other column, the first value of each key."""
    order = np.argsort(keys, kind="stable")  # runs already sorted (one per segment) merge fast
    keys, counts = keys[order], counts[order].astype(np.int64)
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else order[:0]
    summed_counts = np.add.reduceat(counts, firsts) if len(keys) else counts
    return (keys[firsts], summed_counts, *(column[order][firsts] for column in columns))


def distinct(keys: np.ndarray, within: np.ndarray) -> np.ndarray:
    """For each of ``keys`` (sorted), how many of ``within`` equal it (how many distinct sequences it starts or ends)."""
    values = np.sort(within)
    return (np.searchsorted(values, keys, side="right") - np.searchsorted(values, keys)).astype(np.uint32)


def _path(folder: str, segment_id: str, part: str) -> str:
    return os.path.join(folder, f"{segment_id}.ngrams.{part}.npy")


def _field_text(arrays: SegmentArrays, field: str, terms: list[str]) -> np.ndarray:
    """The field's text as term numbers (indexes into ``terms``), documents one after another, -1 between.

    Built from the posting arrays' positions; a term missing from them (a key two terms share) is a gap.
    """
    keys = np.array([term_key(field, t) for t in terms], dtype=np.uint64)
    rows = np.minimum(np.searchsorted(arrays.keys, keys), max(len(arrays.keys) - 1, 0))
    present = np.flatnonzero(arrays.keys[rows] == keys) if len(arrays.keys) else rows[:0]
    if not len(present):
        return np.zeros(0, np.int32)
    bounds = arrays.bounds.read(0, 2 * len(arrays.keys)).reshape(-1, 2)[rows[present]].astype(np.int64)
    low, high = int(bounds[:, 0].min()), int(bounds[:, 1].max())
    lengths = bounds[:, 1] - bounds[:, 0]
    # Each posting row of the field's terms: which term it belongs to (rows of left-out terms: -1).
    row_term = np.full(high - low, -1, dtype=np.int32)
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    row_term[np.repeat(bounds[:, 0] - low, lengths) + within] = np.repeat(present.astype(np.int32), lengths)
    starts = arrays.starts.read(low, high + 1).astype(np.int64)
    docs = arrays.docs.read(low, high)
    positions = arrays.flat_positions.read(int(starts[0]), int(starts[-1]))
    # Positions are ordinal token numbers, ascending in each posting: each document takes the
    # last position of its postings + 2 slots.
    last = np.zeros(int(docs.max()) + 1, dtype=np.int64)
    np.maximum.at(last, docs, positions[starts[1:] - 1 - starts[0]])
    row_of = np.repeat(np.arange(high - low, dtype=np.int32), np.diff(starts))
    doc_of = docs[row_of]
    offsets = np.concatenate(([0], np.cumsum(last + 2)[:-1]))
    text = np.full(int((last + 2).sum()), -1, dtype=np.int32)
    text[offsets[doc_of] + positions] = row_term[row_of]
    return text


def count_text(text: np.ndarray, syllables: np.ndarray) -> dict[str, tuple]:
    """Count the unigrams, pairs and triples of a text of term numbers (-1: a gap), by :data:`COLUMNS`.

    :param syllables: the key of each term number
    """
    size = len(syllables)
    counts = np.bincount(text[text >= 0], minlength=size)
    seen = np.flatnonzero(counts)
    found = {"uni": summed(syllables[seen], counts[seen])}
    for n, order in ((2, "pair"), (3, "triple")):
        if size ** n >= 2 ** 63:  # over two million distinct syllables in one segment: no triples
            found[order] = tuple(np.zeros(0, np.uint64) for _ in COLUMNS[order])
            continue
        # Each sequence as one number (term numbers in base ``size``): sorted and counted without hashing.
        windows = [text[i:len(text) - n + 1 + i] for i in range(n)]
        whole = np.logical_and.reduce([w >= 0 for w in windows])
        codes = np.zeros(int(whole.sum()), dtype=np.int64)
        for window in windows:
            codes = codes * size + window[whole]
        codes.sort()
        firsts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1]))) if len(codes) else codes[:0]
        unique, counted = codes[firsts], np.diff(np.append(firsts, len(codes)))
        keys = [syllables[(unique // size ** (n - 1 - i)) % size] for i in range(n)]
        extra = (keys[0], keys[1]) if n == 2 else (sequence_keys(keys[0], keys[1]),)
        found[order] = summed(sequence_keys(*keys), counted, *extra)
    return found


def _joined(counted: list[tuple], order: str) -> dict[str, np.ndarray]:
    """Several tables of one order (fields, segments) as one, counts of equal keys summed."""
    columns = COLUMNS[order]
    empty = {"counts": np.zeros(0, np.int64)}
    parts = [np.concatenate([table[i] for table in counted]) if counted else empty.get(column, np.zeros(0, np.uint64))
             for i, column in enumerate(columns)]
    merged = summed(*parts) if len(counted) != 1 else parts
    return {f"{order}{column}": values for column, values in zip(columns, merged)}


def segment_counts(folder: str, segment, fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Count one segment's syllables and sequences of ``fields`` (fields with positions), all fields summed."""
    arrays = SegmentArrays.open(folder, segment.segment().segment_id())
    parts: dict[str, list] = {order: [] for order in ORDERS}
    for field in (f for f in fields if f in segment.schema and arrays is not None):
        terms = [t.decode("utf-8") if isinstance(t, bytes) else t for t in segment.lexicon(field)]
        if not terms:
            continue
        for order, counted in count_text(_field_text(arrays, field, terms), syllable_keys(terms)).items():
            parts[order].append(counted)
    result = {}
    for order, counted in parts.items():
        result.update(_joined(counted, order))
    return result


def write(folder: str, segment, fields: tuple[str, ...]) -> None:
    """Write the counts of one segment (its reader) beside its posting arrays."""
    counts = segment_counts(folder, segment, fields)
    segment_id = segment.segment().segment_id()
    for part in PARTS:  # the last part's presence means the segment's counts are whole
        np.save(_path(folder, segment_id, part), counts[part].astype(np.uint32) if part.endswith("counts") else counts[part])


def _write_one(folder: str, segment_id: str, fields: tuple[str, ...]) -> None:
    with whoosh_index.open_dir(folder).reader() as reader:
        for segment, _ in reader.leaf_readers():
            if segment.segment().segment_id() == segment_id:
                write(folder, segment, fields)


def write_missing(folder: str, fields: tuple[str, ...], procs: int = 1) -> int:
    """Write counts for every segment of the index in ``folder`` that has none (after its posting arrays),
    then the generation's sums of them; return how many segments were counted."""
    with whoosh_index.open_dir(folder).reader() as reader:
        segment_ids = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if leaf.segment()]
    missing = [s for s in segment_ids if not os.path.exists(_path(folder, s, PARTS[-1]))]
    if procs > 1 and len(missing) > 1:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(min(procs, len(missing)), mp_context=context) as pool:
            for done in [pool.submit(_write_one, folder, s, fields) for s in missing]:
                done.result()
    else:
        for segment_id in missing:
            _write_one(folder, segment_id, fields)
    if _stored(folder, segment_ids) is None:
        tables = summed_segments(folder, segment_ids)
        temporary = os.path.join(folder, GENERATION_FILE + ".tmp")
        with open(temporary, "wb") as f:
            np.savez(f, segments=np.array(sorted(segment_ids), dtype=str), mincount=np.array(MIN_COUNT), **tables)
        os.replace(temporary, os.path.join(folder, GENERATION_FILE))
    return len(missing)


def _stored(folder: str, segment_ids: list[str], min_count: int = MIN_COUNT) -> dict[str, np.ndarray] | None:
    """The sums a build stored, if they are of exactly these segments; else None."""
    try:
        with np.load(os.path.join(folder, GENERATION_FILE)) as stored:
            if stored["segments"].tolist() != sorted(segment_ids) or int(stored["mincount"]) != min_count:
                return None
            return {name: stored[name] for name in stored.files if name not in ("segments", "mincount")}
    except (OSError, ValueError, KeyError):  # absent, or cut short
        return None


def load(folder: str, segment_ids: list[str], min_count: int = MIN_COUNT) -> dict[str, np.ndarray]:
    """The counts of the generation in ``folder`` made of ``segment_ids``: as its build summed them, or summed now."""
    return _stored(folder, segment_ids, min_count) or summed_segments(folder, segment_ids, min_count)


def summed_segments(folder: str, segment_ids: list[str], min_count: int = MIN_COUNT) -> dict[str, np.ndarray]:
    """Sum the counts of the segments in ``folder``; a segment without counts (built before them) adds nothing.

    Besides the counts: for each syllable, how many distinct syllables follow it (``unifollowers``)
    and precede it (``unipredecessors``); for each pair, how many distinct syllables follow it
    (``pairfollowers``). Then pairs and triples seen fewer than ``min_count`` times are left out.
    """
    parts: dict[str, list] = {order: [] for order in ORDERS}
    for segment_id in segment_ids:
        try:
            found = {part: np.load(_path(folder, segment_id, part)) for part in PARTS}
        except FileNotFoundError:
            continue
        for order, columns in COLUMNS.items():
            parts[order].append(tuple(found[f"{order}{column}"] for column in columns))
    return tables(parts, min_count)


def tables(parts: dict[str, list[tuple]], min_count: int = MIN_COUNT) -> dict[str, np.ndarray]:
    """Join counted parts (by order, each as :func:`count_text` gives it) into the tables :func:`load` returns."""
    joined = {}
    for order in ORDERS:
        joined.update(_joined(parts[order], order))
    joined["unifollowers"] = distinct(joined["unikeys"], joined["pairfirsts"])
    joined["unipredecessors"] = distinct(joined["unikeys"], joined.pop("pairlasts"))
    joined["pairfollowers"] = distinct(joined["pairkeys"], joined.pop("triplefirsts"))
    del joined["pairfirsts"]
    for order, extra in (("pair", ("followers",)), ("triple", ())):
        keep = joined[f"{order}counts"] >= min_count
        for column in ("keys", "counts", *extra):
            joined[f"{order}{column}"] = joined[f"{order}{column}"][keep]
    return {name: values.astype(np.uint32) if name.endswith("counts") else values for name, values in joined.items()}
