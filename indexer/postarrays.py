"""Posting arrays beside each Whoosh segment: a term's documents, weights and positions as numpy slices.

Decoding a common term's postings from Whoosh's pickled blocks costs about a microsecond per
document, which dominated search time. After a build commits, each new segment gets ``.npy``
files next to its own (``<segment>.postarrays.<part>.npy``: Whoosh's clean-up removes them with
the segment), memory-mapped by the portal. Terms are found by a 64-bit hash of ``field`` and
``term``; the portal asks Whoosh's term index first whether a segment holds a term at all, and
hashes that collide within a segment are left out, so lookups stay exact.
"""

import concurrent.futures
import hashlib
import multiprocessing
import os

import numpy as np
from whoosh import index as whoosh_index

from indexer.postings import read_segment
from indexer.postings import read_segment_positions

# keys/bounds: sorted term keys and each term's posting range; docs/weights: one row per posting;
# starts: where each posting's positions begin in ``positions`` (fields without positions: none).
PARTS = ("keys", "bounds", "docs", "weights", "starts", "positions")


def term_key(field: str, term: str) -> int:
    """A stable 64-bit key for a term of a field."""
    return int.from_bytes(hashlib.blake2b(f"{field}\0{term}".encode(), digest_size=8).digest(), "little")


def _path(folder: str, segment_id: str, part: str) -> str:
    return os.path.join(folder, f"{segment_id}.postarrays.{part}.npy")


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


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
        for term in map(_text, segment.lexicon(field)):
            if positional:
                term_docs, term_weights, term_counts, term_positions = read_segment_positions(segment, field, term)
                positions.append(term_positions)
            else:
                term_docs, term_weights = read_segment(segment, field, term)
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


class SegmentArrays:
    """The memory-mapped posting arrays of one segment."""

    def __init__(self, folder: str, segment_id: str):
        self.keys, self.bounds, self.docs, self.weights, self.starts, self.flat_positions = (
            np.load(_path(folder, segment_id, part), mmap_mode="r") for part in PARTS)

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
        start, end = self.bounds[i]
        return int(start), int(end)

    def lookup(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the term's local document numbers and weights; None if its key is not here."""
        found = self._range(field, term)
        if found is None:
            return None
        return self.docs[found[0]:found[1]], self.weights[found[0]:found[1]]

    def positions(self, field: str, term: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Return ``(docnums, positions)`` of the term in the sorted local ``wanted`` documents; None if not here."""
        found = self._range(field, term)
        if found is None:
            return None
        docs = self.docs[found[0]:found[1]]
        rows = found[0] + np.flatnonzero(np.isin(docs, wanted, assume_unique=True))
        first = self.starts[rows].astype(np.int64)
        counts = self.starts[rows + 1].astype(np.int64) - first
        # The positions of all chosen rows in one gather: each row's start, then 0, 1, 2… within it.
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        docnums = np.repeat(self.docs[rows].astype(np.int64), counts)
        return docnums, self.flat_positions[np.repeat(first, counts) + within].astype(np.int64)
