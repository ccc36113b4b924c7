"""Read a term's Whoosh postings into numpy arrays a block at a time.

Whoosh's matchers step through postings one document per Python call. Here each block of the
whoosh3 codec (up to 128 postings, one pickled tuple) is decoded whole; any other matcher falls
back to the public API, document by document. Deletions are not applied: callers mask them.
"""

import itertools
import operator
import pickle

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions

_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_PROTOCOL_2 = b"\x80\x02"
_STOP = ord(".")
_HEADER, _LAST = operator.itemgetter(slice(4, 6)), operator.itemgetter(-1)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


def segment_matcher(segment, field: str, term: str):
    """Return one segment's matcher for the term, deletions not applied; None if it lacks the term."""
    if (field, term) not in segment:
        return None
    # The codec's terms reader: the postings without whoosh's deletion filter around them.
    terms = segment._terms  # noqa: SLF001
    return terms.matcher(field, segment._text_to_bytes(field, term), segment.schema[field].format)


def segment_terms(segment, field: str):
    """Yield ``(term, matcher)`` for every term of ``field`` in one segment, in order, deletions not applied.

    Walks the term index once instead of looking each term up again by hash.
    """
    terms = segment._terms  # noqa: SLF001
    fmt = segment.schema[field].format
    for tbytes, info in segment.iter_field(field):
        yield _text(tbytes), terms._codec.postings_reader(terms._postfile, info, fmt, term=(field, tbytes))  # noqa: SLF001


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _block_weights(weights, count: int) -> np.ndarray:
    if weights is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(weights, float):
        return np.full(count, weights, dtype=np.float32)
    return np.asarray(weights, dtype=np.float32)


def _blocks(matcher):
    """Yield ``(docnums, weights, values)`` for each block of one segment's posting list."""
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:  # noqa: SLF001
        while not matcher._atend:  # noqa: SLF001
            matcher._read_data()  # noqa: SLF001
            ids, weights, values = matcher._data  # noqa: SLF001
            # Document numbers are delta-coded from zero within each block.
            docs = np.cumsum(np.asarray(ids, dtype=np.int64))
            yield docs, _block_weights(weights, len(docs)), values
            matcher._next_block()  # noqa: SLF001
        return
    docs, weights, values = [], [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    yield np.asarray(docs, dtype=np.int64), np.asarray(weights, dtype=np.float32), values


def read(reader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the documents (sorted) holding ``term`` in ``field`` and the term's weight in each."""
    docs, weights = [], []
    for segment, offset in reader.leaf_readers():
        segment_docs, segment_weights = read_segment(segment, field, term)
        docs.append(segment_docs + offset)
        weights.append(segment_weights)
    return _joined(docs, weights)


def read_segment(segment, field: str, term: str, matcher=None) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`read`, for one segment's reader, with document numbers local to the segment.

    ``matcher``: the term's segment matcher when the caller already has it (:func:`segment_terms`).
    """
    docs, weights = [], []
    matcher = matcher or segment_matcher(segment, field, term)
    if matcher is not None:
        for block_docs, block_weights, _ in _blocks(matcher):
            docs.append(block_docs)
            weights.append(block_weights)
    return _joined(docs, weights)


def _joined(docs: list, weights: list) -> tuple[np.ndarray, np.ndarray]:
    if not docs:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    return np.concatenate(docs).astype(np.int32), np.concatenate(weights)


def _decoder(fmt):
    if type(fmt) is not Positions:
        return fmt.decode_positions

    def decode(value: bytes) -> list[int]:
        # whoosh's Positions value: a 4-byte count, then a pickled list of position deltas.
        return list(itertools.accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))
    return decode


def _decoded(fmt, values) -> list[list[int]]:
    """The positions of each posting of one block."""
    # Checked in C (map, itemgetter): this runs for every block of every term a build writes.
    if type(fmt) is Positions and set(map(_HEADER, values)) == {_PROTOCOL_2} and set(map(_LAST, values)) == {_STOP}:
        # Each value's pickle (one list of deltas) spliced into a list of lists: one unpickling per
        # block instead of one per posting.
        lists = pickle.loads(_PROTOCOL_2 + b"](" + b"".join(v[6:-1] for v in values) + b"e.")
        return [list(itertools.accumulate(deltas)) for deltas in lists]
    return list(map(_decoder(fmt), values))


def read_segment_positions(segment, field: str, term: str,
                           matcher=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`read_segment`, plus each posting's number of positions and all positions in order."""
    fmt = segment.schema[field].format
    docs, weights, counts, found = [], [], [], []
    matcher = matcher or segment_matcher(segment, field, term)
    if matcher is not None:
        for block_docs, block_weights, values in _blocks(matcher):
            docs.append(block_docs)
            weights.append(block_weights)
            decoded = _decoded(fmt, values)
            counts += map(len, decoded)
            found += itertools.chain.from_iterable(decoded)
    docs, weights = _joined(docs, weights)
    return docs, weights, np.asarray(counts, dtype=np.int64), np.asarray(found, dtype=np.int32)


def segment_positions(segment, field: str, term: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(docnums, positions)``, one pair per occurrence of ``term`` in one segment's ``wanted`` documents.

    ``wanted`` is a sorted array of the segment's document numbers; only their positions are decoded.
    """
    decode = _decoder(segment.schema[field].format)
    docs: list[int] = []
    found: list[int] = []
    matcher = segment_matcher(segment, field, term)
    if matcher is not None:
        for block_docs, _, values in _blocks(matcher):
            for i in np.flatnonzero(np.isin(block_docs, wanted, assume_unique=True)).tolist():
                occurrences = decode(values[i])
                docs.extend([int(block_docs[i])] * len(occurrences))
                found.extend(occurrences)
    return np.asarray(docs, dtype=np.int64), np.asarray(found, dtype=np.int64)
