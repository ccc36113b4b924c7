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
import multiprocessing
import os
import weakref

import numpy as np
from whoosh import index as whoosh_index

from indexer.postings import read_segment
from indexer.postings import read_segment_positions
from indexer.postings import segment_terms

# keys/bounds: sorted term keys and each term's posting range; docs/weights: one row per posting;
# starts: where each posting's positions begin in ``positions`` (fields without positions: none).
PARTS = ("keys", "bounds", "docs", "weights", "starts", "positions")


def term_key(field: str, term: str) -> int:
    """A stable 64-bit key for a term of a field."""
    return int.from_bytes(hashlib.blake2b(f"{field}\0{term}".encode(), digest_size=8).digest(), "little")


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


def write(folder: str, segment, fields: tuple[str, ...]) -> None:
    """Write the posting arrays of one segment (its reader) for ``fields`` into ``folder``."""
    keys, bounds, docs, weights, counts, positions = [], [], [], [], [], []
    start = 0
    for field in (f for f in fields if f in segment.schema):
        positional = segment.schema[field].format.supports("positions")
        for term, matcher in segment_terms(segment, field):
            if positional:
                term_docs, term_weights, term_counts, term_positions = read_segment_positions(segment, field, term, matcher)
                positions.append(term_positions)
            else:
                term_docs, term_weights = read_segment(segment, field, term, matcher)
                term_counts = np.zeros(len(term_docs), dtype=np.int64)
            keys.append(term_key(field, term))
            bounds.append((start, start + len(term_docs)))
            docs.append(term_docs)
            weights.append(term_weights)
            counts.append(term_counts)
            start += len(term_docs)
    keys_array = np.array(keys, dtype=np.uint64)
    order = np.argsort(keys_array, kind="stable")
    keys_array, bounds_array = keys_array[order], np.array(bounds, dtype=np.int64).reshape(-1, 2)[order]
    unique = _unique(keys_array)
    joined = lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)  # noqa: E731
    arrays = {
        "keys": keys_array[unique], "bounds": bounds_array[unique],
        "docs": joined(docs, np.int32), "weights": joined(weights, np.float32),
        "starts": _starts(joined(counts, np.int64)),
        "positions": joined(positions, np.int32),
    }
    segment_id = segment.segment().segment_id()
    for part in PARTS:  # "positions" last: its presence means the segment's arrays are whole
        np.save(_path(folder, segment_id, part), arrays[part])


def _write_one(folder: str, segment_id: str, fields: tuple[str, ...]) -> None:
    with whoosh_index.open_dir(folder).reader() as reader:
        for segment, _ in reader.leaf_readers():
            if segment.segment().segment_id() == segment_id:
                write(folder, segment, fields)


def write_missing(folder: str, fields: tuple[str, ...], procs: int = 1) -> int:
    """Write posting arrays for every segment of the index in ``folder`` that has none; return how many."""
    with whoosh_index.open_dir(folder).reader() as reader:
        missing = [segment.segment().segment_id() for segment, _ in reader.leaf_readers()
                   if not os.path.exists(_path(folder, segment.segment().segment_id(), PARTS[-1]))]
    if procs > 1 and len(missing) > 1:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(min(procs, len(missing)), mp_context=context) as pool:
            for done in [pool.submit(_write_one, folder, segment_id, fields) for segment_id in missing]:
                done.result()
    else:
        for segment_id in missing:
            _write_one(folder, segment_id, fields)
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
        self.bounds, self.docs, self.weights, self.starts, self.flat_positions = (
            _ArrayFile(_path(folder, segment_id, part)) for part in PARTS[1:])

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
