"""Posting arrays beside each Whoosh segment: a term's documents, weights and positions as numpy slices.

Decoding a common term's postings from Whoosh's pickled blocks costs about a microsecond per
document, which dominated search time. After a build commits, each new segment gets ``.npy``
files next to its own (``<segment>.postarrays.<part>.npy``: Whoosh's clean-up removes them with
the segment), which the portal reads by ranges. Terms are found by a 64-bit hash of ``field`` and
``term``; the portal asks Whoosh's term index first whether a segment holds a term at all, and
hashes that collide within a segment are left out, so lookups stay exact.
"""

import concurrent.futures
import hashlib
import itertools
import multiprocessing
import os
import weakref

import numpy as np
from whoosh import index as whoosh_index

from indexer.postings import read_segment
from indexer.postings import read_segment_positions
from indexer.postings import segment_terms

# keys/bounds: sorted term keys and each term's posting range; docs/weights: one row per posting;
# starts: where each posting's positions begin in ``positions`` (fields without positions: none);
# pair*: syllables side by side (below).
PARTS = ("keys", "bounds", "docs", "weights", "starts", "pairkeys", "pairbounds", "pairdocs", "pairinfo", "positions")
# In fields with positions, each pair of terms that both occur in at least this many documents of a
# segment gets the documents where the first immediately precedes the second: a phrase of common
# syllables is then read, not checked position by position over tens of thousands of documents.
# Phrases with a rarer syllable have few candidates, and are checked on positions.
PAIR_MIN_DOCS = 256
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def term_key(field: str, term: str) -> int:
    """A stable 64-bit key for a term of a field."""
    return int.from_bytes(hashlib.blake2b(f"{field}\0{term}".encode(), digest_size=8).digest(), "little")


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (numpy's own ``unique`` hashes first: many times slower here)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def pair_keys(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """64-bit keys of term pairs (uint64 arrays of the two terms' keys): splitmix64 of a mix of both."""
    golden, mix1, mix2 = _MIX
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps modulo 2**64, as meant
        x = first * golden + second
        x = (x ^ (x >> np.uint64(30))) * mix1
        x = (x ^ (x >> np.uint64(27))) * mix2
        return x ^ (x >> np.uint64(31))


def _path(folder: str, segment_id: str, part: str) -> str:
    return os.path.join(folder, f"{segment_id}.postarrays.{part}.npy")


def _unique(keys: np.ndarray) -> np.ndarray:
    """Mark the keys (sorted) that no other term shares; two terms sharing one are read from Whoosh."""
    unique = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        same = keys[1:] == keys[:-1]
        unique[1:] &= ~same
        unique[:-1] &= ~same
    return unique


def _starts(counts: np.ndarray) -> np.ndarray:
    starts = np.concatenate([[0], np.cumsum(counts)])
    # Four bytes per posting unless a segment holds more than four billion positions.
    return starts.astype(np.uint32 if starts[-1] < 2**32 else np.int64)


def _joined(parts: list, dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)


def _pairs(keys: list[int], docs: list, counts: list, positions: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One field's pairs of common terms side by side: their keys, their documents (sorted per pair) and counts."""
    frequent = np.flatnonzero(np.array([len(d) for d in docs], dtype=np.int64) >= PAIR_MIN_DOCS)
    nothing = np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    if not len(frequent):
        return nothing
    occurrences = [counts[t] for t in frequent]
    term = np.repeat(np.arange(len(frequent), dtype=np.int64), [int(c.sum()) for c in occurrences])
    doc = np.repeat(_joined([docs[t] for t in frequent], np.int64), _joined(occurrences, np.int64))
    # Occurrences of the common terms in text order; a rarer term between two leaves a gap of two.
    where = (doc << 32) | _joined([positions[t] for t in frequent], np.int64)
    order = np.argsort(where)  # unique: no two terms share a position
    where, term = where[order], term[order]
    adjacent = np.flatnonzero(where[1:] == where[:-1] + 1)
    pair = term[adjacent] * len(frequent) + term[adjacent + 1]
    size = int(doc.max()) + 1
    rows = sorted_unique(pair * size + (where[adjacent + 1] >> 32))  # (pair, document), each once
    if not len(rows):
        return nothing  # common terms, but never side by side (titles of a small segment)
    pair, pair_docs = rows // size, rows % size
    firsts = np.concatenate(([0], np.flatnonzero(pair[1:] != pair[:-1]) + 1))
    term_keys = np.array(keys, dtype=np.uint64)[frequent]
    found = pair[firsts]
    return (pair_keys(term_keys[found // len(frequent)], term_keys[found % len(frequent)]),
            pair_docs, np.diff(np.append(firsts, len(pair))))


def write(folder: str, segment, fields: tuple[str, ...]) -> None:
    """Write the posting arrays of one segment (its reader) for ``fields`` into ``folder``."""
    keys, bounds, docs, weights, counts, positions = [], [], [], [], [], []
    pairs: list[tuple] = []
    start = 0
    for field in (f for f in fields if f in segment.schema):
        positional = segment.schema[field].format.supports("positions")
        first, field_positions = len(keys), []
        for term, matcher in segment_terms(segment, field):
            if positional:
                term_docs, term_weights, term_counts, term_positions = read_segment_positions(segment, field, term, matcher)
                field_positions.append(term_positions)
            else:
                term_docs, term_weights = read_segment(segment, field, term, matcher)
                term_counts = np.zeros(len(term_docs), dtype=np.int64)
            keys.append(term_key(field, term))
            bounds.append((start, start + len(term_docs)))
            docs.append(term_docs)
            weights.append(term_weights)
            counts.append(term_counts)
            start += len(term_docs)
        if positional:
            pairs.append(_pairs(keys[first:], docs[first:], counts[first:], field_positions))
            positions += field_positions
    keys_array = np.array(keys, dtype=np.uint64)
    order = np.argsort(keys_array, kind="stable")
    keys_array, bounds_array = keys_array[order], np.array(bounds, dtype=np.int64).reshape(-1, 2)[order]
    unique = _unique(keys_array)
    arrays = {
        "keys": keys_array[unique], "bounds": bounds_array[unique],
        "docs": _joined(docs, np.int32), "weights": _joined(weights, np.float32),
        "starts": _starts(_joined(counts, np.int64)),
        "positions": _joined(positions, np.int32),
        **_pair_arrays(pairs),
    }
    segment_id = segment.segment().segment_id()
    for part in PARTS:  # "positions" last: its presence means the segment's arrays are whole
        np.save(_path(folder, segment_id, part), arrays[part])


def _pair_arrays(pairs: list[tuple]) -> dict[str, np.ndarray]:
    """The pair parts: keys sorted with each pair's document range; keys two pairs share, listed apart."""
    keys = _joined([k for k, _, _ in pairs], np.uint64)
    lengths = _joined([n for _, _, n in pairs], np.int64)
    ends = np.cumsum(lengths)
    order = np.argsort(keys, kind="stable")
    keys, bounds = keys[order], np.stack([ends - lengths, ends], axis=1)[order]
    unique = _unique(keys)
    return {"pairkeys": keys[unique], "pairbounds": bounds[unique],
            "pairdocs": _joined([d for _, d, _ in pairs], np.int32),
            # Settings a reader needs: the threshold, then the keys left out because pairs share them.
            "pairinfo": np.concatenate(([np.uint64(PAIR_MIN_DOCS)], sorted_unique(keys[~unique]))).astype(np.uint64)}


def _write_segment(write, folder: str, segment_id: str, fields: tuple[str, ...]) -> None:
    with whoosh_index.open_dir(folder).reader() as reader:
        for segment, _ in reader.leaf_readers():
            if segment.segment().segment_id() == segment_id:
                write(folder, segment, fields)


def write_segments(folder: str, fields: tuple[str, ...], procs: int, write, written) -> tuple[list[str], list[str]]:
    """Run ``write(folder, segment, fields)`` for each segment whose ``written(segment_id)`` is false, in
    ``procs`` processes; return every segment id of the index and those written."""
    with whoosh_index.open_dir(folder).reader() as reader:
        # An index without documents has one leaf and no segment: nothing to write.
        segment_ids = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers() if leaf.segment()]
    missing = [segment_id for segment_id in segment_ids if not written(segment_id)]
    if procs > 1 and len(missing) > 1:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(min(procs, len(missing)), mp_context=context) as pool:
            for done in [pool.submit(_write_segment, write, folder, segment_id, fields) for segment_id in missing]:
                done.result()
    else:
        for segment_id in missing:
            _write_segment(write, folder, segment_id, fields)
    return segment_ids, missing


def write_missing(folder: str, fields: tuple[str, ...], procs: int = 1) -> int:
    """Write posting arrays for every segment of the index in ``folder`` that has none; return how many."""
    _, missing = write_segments(folder, fields, procs, write,
                                lambda segment_id: os.path.exists(_path(folder, segment_id, PARTS[-1])))
    return len(missing)


class _ArrayFile:
    """A one-dimensional ``.npy`` file read by ranges with ``pread``.

    Mapping the files would count every page a worker ever touched in its resident memory; read
    this way they stay in the OS page cache, held once for all workers.
    """

    def __init__(self, path: str):
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            _, _, self.dtype = read_header(f)
            self.offset = f.tell()
        self._fd = os.open(path, os.O_RDONLY)
        self._close = weakref.finalize(self, os.close, self._fd)

    def read(self, start: int, end: int) -> np.ndarray:
        """Return items ``start`` to ``end`` (excluded)."""
        size = self.dtype.itemsize
        return np.frombuffer(os.pread(self._fd, (end - start) * size, self.offset + start * size), dtype=self.dtype)


class SegmentArrays:
    """The posting arrays of one segment: its term keys in memory, the rest read by ranges."""

    def __init__(self, folder: str, segment_id: str):
        self.keys = np.load(_path(folder, segment_id, "keys"))
        self.bounds, self.docs, self.weights, self.starts, self.flat_positions, self.pair_bounds, self.pair_docs = (
            _ArrayFile(_path(folder, segment_id, part))
            for part in ("bounds", "docs", "weights", "starts", "positions", "pairbounds", "pairdocs"))
        self.pair_keys = np.load(_path(folder, segment_id, "pairkeys"))
        info = np.load(_path(folder, segment_id, "pairinfo"))
        self.pair_min_docs, self.pair_shared = int(info[0]), frozenset(info[1:].tolist())

    @classmethod
    def open(cls, folder: str, segment_id: str) -> "SegmentArrays | None":
        """Open a segment's arrays; None when it has none (an index built before they existed)."""
        try:
            return cls(folder, segment_id)
        except FileNotFoundError:
            return None

    def _range(self, field: str, term: str) -> tuple[int, int] | None:
        key = np.uint64(term_key(field, term))
        i = int(np.searchsorted(self.keys, key))
        if i == len(self.keys) or self.keys[i] != key:
            return None
        start, end = self.bounds.read(2 * i, 2 * i + 2)  # row i of the (terms, 2) array
        return int(start), int(end)

    def document_count(self, field: str, term: str) -> int | None:
        """How many of the segment's documents hold the term; None if its key is not here."""
        found = self._range(field, term)
        return None if found is None else found[1] - found[0]

    def adjacent(self, field: str, firsts: list[str], seconds: list[str]) -> tuple[np.ndarray, list, list, list]:
        """Return the local documents (sorted) where a term of ``firsts`` immediately precedes one of ``seconds``.

        ``field`` must be one with positions. Then what the arrays cannot tell about: the terms of
        each side held by fewer documents than the pairs' threshold (or whose key is shared), and
        the pairs of common terms whose key is shared.
        """
        counts = {term: self.document_count(field, term) for term in {*firsts, *seconds}}
        common = [[t for t in terms if (counts[t] or 0) >= self.pair_min_docs] for terms in (firsts, seconds)]
        rare = [[t for t in terms if (counts[t] or 0) < self.pair_min_docs] for terms in (firsts, seconds)]
        combos = list(itertools.product(*common))
        keys = pair_keys(*(np.array([term_key(field, c[side]) for c in combos], np.uint64) for side in (0, 1)))
        rows = np.minimum(np.searchsorted(self.pair_keys, keys), max(len(self.pair_keys) - 1, 0))
        found = np.flatnonzero(self.pair_keys[rows] == keys) if len(self.pair_keys) else rows[:0]
        docs = [np.zeros(0, np.int32)]
        for row in rows[found].tolist():
            start, end = self.pair_bounds.read(2 * row, 2 * row + 2)
            docs.append(self.pair_docs.read(int(start), int(end)))
        shared = [combo for combo, key in zip(combos, keys.tolist()) if key in self.pair_shared]
        return sorted_unique(np.concatenate(docs)), rare[0], rare[1], shared

    def lookup(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the term's local document numbers and weights; None if its key is not here."""
        found = self._range(field, term)
        if found is None:
            return None
        return self.docs.read(*found), self.weights.read(*found)

    def positions(self, field: str, term: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Return ``(docnums, positions)`` of the term in the sorted local ``wanted`` documents; None if not here."""
        found = self._range(field, term)
        if found is None:
            return None
        docs = self.docs.read(*found)
        # Both sorted: find each wanted document among the term's by binary search.
        rows = np.searchsorted(docs, wanted)
        present = rows < len(docs)
        rows, wanted = rows[present], wanted[present]
        rows = rows[docs[rows] == wanted]
        if not len(rows):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        # The term's rows are contiguous: read the starts, then the positions, from first to last chosen row.
        starts = self.starts.read(found[0] + int(rows[0]), found[0] + int(rows[-1]) + 2).astype(np.int64)
        span = self.flat_positions.read(int(starts[0]), int(starts[-1]))
        local = rows - rows[0]
        first, counts = starts[local] - starts[0], starts[local + 1] - starts[local]
        # The positions of all chosen rows in one gather: each row's start, then 0, 1, 2… within it.
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        docnums = np.repeat(docs[rows].astype(np.int64), counts)
        return docnums, span[np.repeat(first, counts) + within].astype(np.int64)
