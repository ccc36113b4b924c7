"""Posting arrays beside each Whoosh segment: a term's documents and weights as one numpy slice.

Decoding a common term's postings from Whoosh's pickled blocks costs about a microsecond per
document, which dominated search time. After a build commits, each new segment gets four
``.npy`` files next to its own (``<segment>.postarrays.<part>.npy``: Whoosh's clean-up removes
them with the segment), memory-mapped by the portal. Terms are found by a 64-bit hash of
``field`` and ``term``; the portal asks Whoosh's term index first whether a segment holds a
term at all, and hashes that collide within a segment are left out, so lookups stay exact.
"""

import hashlib
import os

import numpy as np

from indexer.postings import read_segment

PARTS = ("keys", "bounds", "docs", "weights")


def term_key(field: str, term: str) -> int:
    """A stable 64-bit key for a term of a field."""
    return int.from_bytes(hashlib.blake2b(f"{field}\0{term}".encode(), digest_size=8).digest(), "little")


def _path(folder: str, segment_id: str, part: str) -> str:
    return os.path.join(folder, f"{segment_id}.postarrays.{part}.npy")


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def write(folder: str, segment, fields: tuple[str, ...]) -> None:
    """Write the posting arrays of one segment (its reader) for ``fields`` into ``folder``."""
    keys, bounds, docs, weights = [], [], [], []
    start = 0
    for field in fields:
        if field not in segment.schema:
            continue
        for term in segment.lexicon(field):
            term_docs, term_weights = read_segment(segment, field, _text(term))
            keys.append(term_key(field, _text(term)))
            bounds.append((start, start + len(term_docs)))
            docs.append(term_docs)
            weights.append(term_weights)
            start += len(term_docs)
    keys_array = np.array(keys, dtype=np.uint64)
    order = np.argsort(keys_array, kind="stable")
    keys_array, bounds_array = keys_array[order], np.array(bounds, dtype=np.int64).reshape(-1, 2)[order]
    # Two terms sharing a key would mix their postings: drop both, they are read from Whoosh.
    unique = np.ones(len(keys_array), dtype=bool)
    if len(keys_array) > 1:
        same = keys_array[1:] == keys_array[:-1]
        unique[1:] &= ~same
        unique[:-1] &= ~same
    segment_id = segment.segment().segment_id()
    arrays = {
        "keys": keys_array[unique], "bounds": bounds_array[unique],
        "docs": np.concatenate(docs).astype(np.int32) if docs else np.zeros(0, np.int32),
        "weights": np.concatenate(weights).astype(np.float32) if weights else np.zeros(0, np.float32),
    }
    for part in PARTS:
        np.save(_path(folder, segment_id, part), arrays[part])


def write_missing(folder: str, reader, fields: tuple[str, ...]) -> int:
    """Write posting arrays for every segment of ``reader`` that has none yet; return how many."""
    written = 0
    for segment, _ in reader.leaf_readers():
        if not os.path.exists(_path(folder, segment.segment().segment_id(), PARTS[-1])):
            write(folder, segment, fields)
            written += 1
    return written


class SegmentArrays:
    """The memory-mapped posting arrays of one segment."""

    def __init__(self, folder: str, segment_id: str):
        self.keys, self.bounds, self.docs, self.weights = (
            np.load(_path(folder, segment_id, part), mmap_mode="r") for part in PARTS)

    @classmethod
    def open(cls, folder: str, segment_id: str) -> "SegmentArrays | None":
        """Open a segment's arrays; None when it has none (an index built before they existed)."""
        try:
            return cls(folder, segment_id)
        except FileNotFoundError:
            return None

    def lookup(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the term's local document numbers and weights; None if its key is not here."""
        key = np.uint64(term_key(field, term))
        i = int(np.searchsorted(self.keys, key))
        if i == len(self.keys) or self.keys[i] != key:
            return None
        start, end = self.bounds[i]
        return self.docs[start:end], self.weights[start:end]
