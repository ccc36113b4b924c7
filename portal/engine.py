"""The embedded Whoosh engine behind :mod:`portal.search`: nothing else in the portal knows Whoosh.

An engine follows the index folder's CURRENT generation: when a build publishes a new one, the
next request opens it, without a restart. Per generation it keeps arrays over document numbers
(:mod:`portal.arrays`), so that counts are exact over every matching document.
"""

import collections
import threading
import weakref

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from indexer import ngrams
from indexer.analysis import SYLLABLE
from indexer.normalize import fold_accents
from indexer.normalize import match_key
from indexer.segment import word_spans
from indexer.store import IndexStore
from portal import restore
from portal.arrays import DocArrays
from portal.query import ParsedQuery
from portal.query import word_items

# Facet parameter -> index field.
FACET_FIELDS = {"year": "year", "signer": "signer", "unit": "units", "topic": "topics", "chair": "chair",
                "type": "type"}


class IndexUnavailable(Exception):
    """No index generation has been published in the configured folder."""


class Generation:
    """One published index generation, opened for searching, with its arrays."""

    def __init__(self, name: str, path: str):
        self.name = name
        self.index = whoosh_index.open_dir(path)
        self.reader = self.index.reader()
        # Files close with the generation even if nobody calls close() (tests, app teardown).
        self._close_reader = weakref.finalize(self, self.reader.close)  # runs at most once
        self._searcher = None
        # One reader per process and generation; its files are not safe to share across threads.
        self.lock = threading.RLock()
        self.arrays = DocArrays(self.reader, tuple(sorted(set(FACET_FIELDS.values()))), path)
        # The index's own syllables, pairs and triples, for restoring a query's diacritics in context.
        self.language = restore.Counts(ngrams.load(path, [leaf.segment().segment_id()
                                                          for leaf, _ in self.reader.leaf_readers() if leaf.segment()]))
        word_spans("khởi động")  # loads pyvi's model once per process, before the first query

    def close(self) -> None:
        """Close the reader once no request uses it."""
        with self.lock:
            self._close_reader()

    def searcher(self):
        """Return the generation's searcher (callers hold :attr:`lock` while they use it)."""
        if self._searcher is None:
            self._searcher = Searcher(self.reader, fromindex=self.index)
        return self._searcher


class ResultCache:
    """A small LRU of search results, keyed by generation and canonical parameters."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key, value) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class WhooshEngine:
    """Searches the index folder's current generation."""

    def __init__(self, root: str, cache_size: int = 512):
        self.store = IndexStore(root)
        self.cache = ResultCache(cache_size)
        self._generation: Generation | None = None
        self._lock = threading.Lock()

    def generation(self) -> Generation:
        """Return the served generation, opening a newly published one first."""
        name = self.store.current_name()
        if name is None:
            raise IndexUnavailable(self.store.root)
        current = self._generation
        if current is None or current.name != name:
            with self._lock:
                old = self._generation
                if old is None or old.name != name:
                    self._generation = Generation(name, self.store.current_path())
                    if old is not None:
                        old.close()
                current = self._generation
        return current


def resolve_values(generation: Generation, field: str, typed: list[str]) -> set[str]:
    """Find the facet values a user meant (``unit:tuy phong`` -> ``Huyện ủy Tuy Phong``)."""
    wanted = [fold_accents(match_key(t)) for t in typed]
    return {value for value in generation.arrays.facets[field].values
            if any(w and w in fold_accents(match_key(value)) for w in wanted)}


def _cased(form: str, typed: str) -> str:
    if len(typed) > 1 and typed.isupper():
        return form.upper()
    return form[:1].upper() + form[1:] if typed[:1].isupper() else form


def restore_accents(generation: Generation, parsed: ParsedQuery) -> str:
    """Restore the diacritics of a query typed without them, in context (``xang dau`` -> ``xăng dầu``).

    The words are one sequence, each excluded item another; field filters stay as typed, and so
    does an item holding a digit (``503-TB/TU``), which still gives its neighbours context.
    """
    text = parsed.text
    words, excluded = [], []
    for start, end, negated in word_items(text):
        kept = any(c.isdigit() for c in text[start:end])
        spans = [(*match.span(), kept) for match in SYLLABLE.finditer(text, start, end)]
        (excluded.append(spans) if negated else words.extend(spans))
    restored: dict[int, str] = {}
    for chain in (words, *excluded):
        typed = [fold_accents(text[start:end].lower()) for start, end, _ in chain]
        candidates = [() if kept else generation.arrays.forms.get(s, ()) for s, (_, _, kept) in zip(typed, chain)]
        forms = restore.restore(typed, candidates, generation.language)
        restored.update((start, _cased(form, text[start:end])) for (start, end, _), form in zip(chain, forms))
    pieces, done = [], 0
    for start, end in sorted((start, end) for start, end, _ in (*words, *(s for chain in excluded for s in chain))):
        pieces += [text[done:start], restored[start]]
        done = end
    return "".join(pieces) + text[done:]


def suggestion(parsed: ParsedQuery, restored: str | None) -> str | None:
    """The query with its diacritics restored, when it was typed without any and the restored one differs."""
    return restored if restored is not None and restored != parsed.text else None
