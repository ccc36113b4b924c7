"""Per-generation arrays over document numbers: facet values, dates, ids, field lengths, postings.

Counting and filtering become numpy operations over boolean masks: a facet's counts over every
matching document are one ``bincount``; a term's documents and frequencies come from the posting
arrays beside each segment (:mod:`indexer.postarrays`; Whoosh's own blocks through
:mod:`indexer.postings` where a segment has none), behind a small cache.
"""

import collections
import threading

import numpy as np

from indexer import postarrays
from indexer.postarrays import sorted_unique
from indexer import postings as posting_lists
from indexer.normalize import fold_accents
from indexer.schema import SCORED_FIELDS
from indexer.schema import SYLLABLE_FIELDS

# Posting lists kept in memory, counted in documents (8 bytes each). Reading one from the posting
# arrays is cheap; merging the accented forms of a syllable typed without diacritics is not.
POSTINGS_CACHE_ENTRIES = 50_000
POSTINGS_CACHE_BUDGET = 2_000_000


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _column(reader, field: str):
    """A field's column; none to read in an index without documents (Whoosh refuses to open one)."""
    return reader.column_reader(field) if reader.doc_count_all() else []


def term_frequencies(reader, field: str) -> collections.Counter:
    """Count, for each term of ``field``, the documents holding it (deleted ones included)."""
    counts: collections.Counter = collections.Counter()
    for segment, _ in reader.leaf_readers():
        for term, info in segment.iter_field(field):
            counts[_text(term)] += info.doc_frequency()
    return counts


class Facet:
    """The (document, value) pairs of one facet field, flat, for counting and filtering."""

    def __init__(self, values: list[str], docs: np.ndarray, ordinals: np.ndarray):
        self.values = values
        self.index = {value: i for i, value in enumerate(values)}
        self.docs = docs
        self.ordinals = ordinals

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        """Count, for each value, the documents of ``mask`` that have it."""
        counts = np.bincount(self.ordinals[mask[self.docs]], minlength=len(self.values))
        return {self.values[i]: int(c) for i, c in enumerate(counts) if c}

    def mask(self, size: int, values) -> np.ndarray:
        """The documents that have any of ``values``."""
        wanted = [self.index[v] for v in values if v in self.index]
        mask = np.zeros(size, dtype=bool)
        if wanted:
            mask[self.docs[np.isin(self.ordinals, wanted)]] = True
        return mask


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values two sorted arrays of unique values share, by binary search (no re-sorting)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    found = np.searchsorted(b, a)
    return a[b[np.minimum(found, len(b) - 1)] == a]


class DocArrays:
    """Everything about a generation's documents that searching needs as arrays."""

    def __init__(self, reader, facet_fields: tuple[str, ...], folder: str):
        self.reader = reader
        # An index without documents has one leaf and no segment: nothing to search there.
        self._segments = [(segment, offset, postarrays.SegmentArrays.open(folder, segment.segment().segment_id()))
                          for segment, offset in reader.leaf_readers() if segment.segment()]
        self.size = reader.doc_count_all()
        self.live = np.zeros(self.size, dtype=bool)
        self.live[list(reader.all_doc_ids())] = True
        self.doc_count = int(self.live.sum())
        self._titles = _column(reader, "title")
        ids = _column(reader, "id")
        self.ids = [_text(ids[d]) for d in range(self.size)]
        order = sorted(range(self.size), key=self.ids.__getitem__)
        self.id_rank = np.empty(self.size, dtype=np.int32)
        self.id_rank[order] = np.arange(self.size, dtype=np.int32)
        dates = _column(reader, "date")
        self.dates = np.array([int(_text(dates[d]).replace("-", "") or 0) for d in range(self.size)], dtype=np.int32)
        self.facets = {field: self._facet(field) for field in facet_fields}
        self.lengths = {field: self._lengths(field) for field in SCORED_FIELDS}
        self.average_length = {f: float(lengths[self.live].mean() or 1.0) if self.doc_count else 1.0
                               for f, lengths in self.lengths.items()}
        self.frequencies = {field: term_frequencies(reader, field) for field in SYLLABLE_FIELDS}
        forms: dict[str, set[str]] = {}
        for frequencies in self.frequencies.values():
            for syllable in frequencies:
                forms.setdefault(fold_accents(syllable), set()).add(syllable)
        # A syllable typed without diacritics stands for every accented form the index holds.
        self.forms = {folded: tuple(sorted(found)) for folded, found in forms.items()}
        self._postings: collections.OrderedDict = collections.OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    def _facet(self, field: str) -> Facet:
        values, docs, ordinals = [], [], []
        for term in self.reader.lexicon(field):
            ids = posting_lists.read(self.reader, field, _text(term))[0]
            ids = ids[self.live[ids]]
            if len(ids):
                docs.append(ids)
                ordinals.append(np.full(len(ids), len(values), dtype=np.int32))
                values.append(_text(term))
        empty = np.zeros(0, dtype=np.int32)
        return Facet(values, np.concatenate(docs) if docs else empty, np.concatenate(ordinals) if ordinals else empty)

    def _lengths(self, field: str) -> np.ndarray:
        length = self.reader.doc_field_length
        return np.array([length(d, field) or 0 for d in range(self.size)], dtype=np.float32)

    def title(self, docnum: int) -> str:
        """A document's title, from its column (empty when it has none)."""
        return _text(self._titles[docnum] or "")

    def mask(self, docs=None) -> np.ndarray:
        """A boolean mask over document numbers: all live documents, or those listed."""
        if docs is None:
            return self.live.copy()
        mask = np.zeros(self.size, dtype=bool)
        docs = np.asarray(docs, dtype=np.int64)
        if len(docs):
            mask[docs] = True
        return mask & self.live

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Return the documents holding ``term`` in ``field`` and its frequency in each."""
        return self._cached_postings((field, term), lambda: self._read(field, term))

    def postings_any(self, field: str, terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Return the documents holding any of ``terms`` in ``field``, their frequencies summed."""
        if len(terms) <= 1:
            return self.postings(field, terms[0]) if terms else (np.zeros(0, np.int32), np.zeros(0, np.float32))
        return self._cached_postings((field, terms), lambda: self._merge(field, terms))

    def _read(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        docs, weights = [], []
        for segment, offset, arrays in self._segments:
            if (field, term) not in segment:
                continue
            found = arrays.lookup(field, term) if arrays is not None else None
            if found is None:  # no arrays for this segment (or field), or a key shared by two terms
                found = posting_lists.read_segment(segment, field, term)
            segment_docs, segment_weights = found
            docs.append(segment_docs + offset)
            weights.append(segment_weights)
        if not docs:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        docs, weights = np.concatenate(docs).astype(np.int32), np.concatenate(weights).astype(np.float32)
        keep = self.live[docs]
        return (docs, weights) if keep.all() else (docs[keep], weights[keep])

    def _merge(self, field: str, terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        parts = [self.postings(field, term) for term in terms]
        # Summed over every document number at once: linear, where sorting the union is not.
        summed = np.bincount(np.concatenate([d for d, _ in parts]), weights=np.concatenate([w for _, w in parts]),
                             minlength=self.size)
        docs = np.flatnonzero(summed)
        return docs.astype(np.int32), summed[docs].astype(np.float32)

    def adjacent(self, field: str, firsts: tuple[str, ...], seconds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Return the documents where a term of ``firsts`` immediately precedes one of ``seconds`` in ``field``.

        Then, apart, documents that hold two such terms where the posting arrays cannot tell (a rarer
        term): whether those stand side by side is for their positions to say.
        """
        return self._cached_postings(("adjacent", field, firsts, seconds), lambda: self._adjacent(field, firsts, seconds))

    def _adjacent(self, field: str, firsts: tuple[str, ...], seconds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        confirmed, rare_firsts, rare_seconds, unsure = [np.zeros(0, np.int64)], [], [], [np.zeros(0, np.int64)]
        for segment, offset, arrays in self._segments:
            present = [[term for term in terms if (field, term) in segment] for terms in (firsts, seconds)]
            if arrays is None:
                found, rare, shared = np.zeros(0, np.int64), present, []
            else:
                found, *rare, shared = arrays.adjacent(field, *present)
            confirmed.append(found.astype(np.int64) + offset)
            docs = lambda term: self._segment_docs(segment, arrays, field, term).astype(np.int64) + offset  # noqa: E731
            rare_firsts += [docs(term) for term in rare[0]]
            rare_seconds += [docs(term) for term in rare[1]]
            unsure += [np.intersect1d(docs(first), docs(second), assume_unique=True) for first, second in shared]
        # A pair with a rarer term: documents holding it and a term of the other side.
        for rare, other in ((rare_firsts, firsts), (rare_seconds, seconds)):
            if rare:
                unsure.append(intersect_sorted(sorted_unique(np.concatenate(rare)), self.postings_any(field, other)[0]))
        confirmed, unsure = (sorted_unique(np.concatenate(found)) for found in (confirmed, unsure))
        confirmed = confirmed[self.live[confirmed]]
        return confirmed, np.setdiff1d(unsure[self.live[unsure]], confirmed, assume_unique=True)

    @staticmethod
    def _segment_docs(segment, arrays, field: str, term: str) -> np.ndarray:
        found = arrays.lookup(field, term) if arrays is not None else None
        return (found if found is not None else posting_lists.read_segment(segment, field, term))[0]

    def _cached_postings(self, key, read) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if key in self._postings:
                self._postings.move_to_end(key)
                return self._postings[key]
        found = read()
        with self._lock:
            if key not in self._postings:  # another thread may have read it meanwhile
                self._postings[key] = found
                self._cached += len(found[0])
            while self._cached > POSTINGS_CACHE_BUDGET or len(self._postings) > POSTINGS_CACHE_ENTRIES:
                _, (old, _) = self._postings.popitem(last=False)
                self._cached -= len(old)
        return found

    def positions(self, field: str, term: str, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(docnums, positions)`` of each occurrence of ``term`` in the sorted ``wanted`` documents."""
        docs, positions = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for segment, offset, arrays in self._segments:
            local = wanted[(wanted >= offset) & (wanted < offset + segment.doc_count_all())] - offset
            if not len(local) or (field, term) not in segment:
                continue
            found = arrays.positions(field, term, local) if arrays is not None else None
            if found is None:
                found = posting_lists.segment_positions(segment, field, term, local)
            docs.append(found[0] + offset)
            positions.append(found[1])
        return np.concatenate(docs), np.concatenate(positions)
