"""Counts of syllables, and of syllables side by side, beside each segment: the index's own language model.

Restoring diacritics in context (:mod:`portal.restore`) needs how often each syllable occurs and
how often one follows another (and a third follows both). After a build, each new segment gets
``<segment>.ngrams.<part>.npy`` files beside its posting arrays (Whoosh's clean-up removes them
with the segment), counted from those arrays' positions: nothing is analyzed twice. A segment
numbers its syllables (title and body alike) and writes each sequence as one number in that
base, with its count. The build then sums the segments' counts for the generation, keyed by
64-bit hashes of the syllables, and stores them beside them (:data:`GENERATION_FILE`). A deleted
document's syllables count until its segment is merged away: real text of the collection all the same.
"""

import os

import numpy as np

from indexer.postarrays import SegmentArrays
from indexer.postarrays import pair_keys
from indexer.postarrays import sorted_unique
from indexer.postarrays import term_key
from indexer.postarrays import write_segments

ORDERS = ("uni", "pair", "triple")
# A segment's parts: its syllables' keys and counts; pairs and triples as numbers (in base the
# number of syllables, sorted) with their counts. The last part written marks them whole.
PARTS = ("vocabulary", "unicounts", "paircodes", "paircounts", "triplecodes", "triplecounts")
# A generation's tables, each sorted by key: ``unikeys``/``unicounts``, ``pairkeys``/``paircounts``,
# ``triplekeys``/``triplecounts``, and how many distinct syllables follow each syllable
# (``unifollowers``) and each pair (``pairfollowers``), and precede each syllable (``unipredecessors``).
# A sequence counted once in the whole collection says little and costs memory in every worker:
# left out, but still counted among the distinct ones.
MIN_COUNT = 2
# The generation's tables, summed once by the build (a worker opening it only reads them), with
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


def summed(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort keys and add up the counts of equal ones."""
    order = np.argsort(keys)
    keys, counts = keys[order], counts[order].astype(np.int64)
    if not len(keys):
        return keys, counts
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[firsts], np.add.reduceat(counts, firsts)


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


def count_text(text: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Count the syllables, pairs and triples of a text of term numbers below ``size`` (-1: a gap), as :data:`PARTS`."""
    found = {"unicounts": np.bincount(text[text >= 0], minlength=size).astype(np.uint32)}
    for n, order in ((2, "pair"), (3, "triple")):
        windows = [text[i:len(text) - n + 1 + i] for i in range(n)]
        whole = np.logical_and.reduce([w >= 0 for w in windows])
        codes = np.zeros(int(whole.sum()) if size ** n < 2 ** 63 else 0, dtype=np.int64)  # else: no such counts
        for window in windows if len(codes) else ():
            codes = codes * size + window[whole]
        codes.sort()
        firsts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1]))) if len(codes) else codes[:0]
        found[f"{order}codes"] = codes[firsts]
        found[f"{order}counts"] = np.diff(np.append(firsts, len(codes))).astype(np.uint32)
    return found


def segment_counts(folder: str, segment, fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Count one segment's syllables and sequences of ``fields`` (fields with positions), as :data:`PARTS`."""
    arrays = SegmentArrays.open(folder, segment.segment().segment_id())
    lexicons = {field: [t.decode("utf-8") if isinstance(t, bytes) else t for t in segment.lexicon(field)]
                for field in fields if field in segment.schema and arrays is not None}
    vocabulary = sorted({term for terms in lexicons.values() for term in terms})
    number = {term: i for i, term in enumerate(vocabulary)}
    texts = [np.zeros(0, np.int32)]
    for field, terms in lexicons.items():
        text = _field_text(arrays, field, terms)
        # Field term numbers to the segment's: both fields' texts as one, a gap between.
        renumbered = np.append(np.array([number[t] for t in terms], dtype=np.int32), -1)
        texts += [renumbered[text], np.full(1, -1, np.int32)]
    counts = count_text(np.concatenate(texts), len(vocabulary))
    return {"vocabulary": syllable_keys(vocabulary), **counts}


def write(folder: str, segment, fields: tuple[str, ...]) -> None:
    """Write the counts of one segment (its reader) beside its posting arrays."""
    counts = segment_counts(folder, segment, fields)
    segment_id = segment.segment().segment_id()
    for part in PARTS:  # the last part's presence means the segment's counts are whole
        np.save(_path(folder, segment_id, part), counts[part])


def write_missing(folder: str, fields: tuple[str, ...], procs: int = 1) -> int:
    """Write counts for every segment of the index in ``folder`` that has none (after its posting arrays),
    then the generation's sums of them; return how many segments were counted."""
    segment_ids, missing = write_segments(folder, fields, procs, write,
                                          lambda segment_id: os.path.exists(_path(folder, segment_id, PARTS[-1])))
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
    """Sum the counts of the segments in ``folder`` into the generation's tables (:data:`GENERATION_FILE`).

    A segment without counts (an index built before them) adds nothing.
    """
    parts = []
    for segment_id in segment_ids:
        try:
            parts.append({part: np.load(_path(folder, segment_id, part)) for part in PARTS})
        except FileNotFoundError:
            continue
    return tables(parts, min_count)


def _digits(codes: np.ndarray, base: int, n: int) -> list[np.ndarray]:
    """The term numbers of sequences of ``n`` written as numbers in ``base``, first to last."""
    return [(codes // base ** (n - 1 - i)) % base for i in range(n)]


def tables(parts: list[dict[str, np.ndarray]], min_count: int = MIN_COUNT) -> dict[str, np.ndarray]:
    """Sum segments' counts (each as :func:`segment_counts` gives them) into a generation's tables.

    Summed as numbers over the generation's syllables (cheap to sort); only the sequences kept are hashed.
    """
    keys = sorted_unique(np.concatenate([part["vocabulary"] for part in parts] or [np.zeros(0, np.uint64)]))
    size = len(keys)
    numbers = [np.searchsorted(keys, part["vocabulary"]).astype(np.int64) for part in parts]  # theirs -> ours
    codes = {"uni": np.arange(size, dtype=np.int64)}
    counts = {"uni": np.zeros(size, np.int64)}
    for part, number in zip(parts, numbers):
        counts["uni"] += np.bincount(number, weights=part["unicounts"], minlength=size).astype(np.int64)
    for n, order in ((2, "pair"), (3, "triple")):
        # Over two million syllables in a generation, triples would not fit in 64 bits: none counted.
        counted = [(part, number) for part, number in zip(parts, numbers) if size ** n < 2 ** 63]
        renumbered = [sum(number[digit] * size ** (n - 1 - i)
                          for i, digit in enumerate(_digits(part[f"{order}codes"], len(part["vocabulary"]), n)))
                      for part, number in counted]
        codes[order], counts[order] = summed(np.concatenate([np.zeros(0, np.int64), *renumbered]),
                                             np.concatenate([np.zeros(0, np.uint32), *(p[f"{order}counts"] for p, _ in counted)]))
    # Distinct syllables after each syllable, before it, and after each pair: run lengths of the sorted numbers.
    extra = {"uni": {"followers": np.bincount(codes["pair"] // size, minlength=size) if size else codes["uni"],
                     "predecessors": np.bincount(codes["pair"] % size, minlength=size) if size else codes["uni"]},
             "pair": {"followers": distinct(codes["pair"], codes["triple"] // size)}, "triple": {}}
    result = {}
    for n, order in enumerate(ORDERS, start=1):
        keep = counts[order] >= (min_count if n > 1 else 1)
        hashed = sequence_keys(*(keys[digit] for digit in _digits(codes[order][keep], size, n)))
        by_key = np.argsort(hashed)
        result[f"{order}keys"] = hashed[by_key]
        for column, values in {"counts": counts[order], **extra[order]}.items():
            result[f"{order}{column}"] = values[keep][by_key].astype(np.uint32)
    return result
