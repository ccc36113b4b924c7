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

from indexer.normalize import fold_accents
from indexer.normalize import match_key
from indexer.segment import word_spans
from indexer.store import IndexStore
from portal.arrays import DocArrays
from portal.arrays import term_frequencies

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
        # Built now rather than on the first query typed without diacritics.
        self.suggest_maps = (self._fold_map(term_frequencies(self.reader, "body_words")),
                             self._fold_map(self.arrays.frequencies["body"]))
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

    @staticmethod
    def _fold_map(frequencies: dict[str, int]) -> dict[str, str]:
        """Map folded words to their most frequent accented form in this index."""
        best: dict[str, str] = {}
        for term, count in frequencies.items():
            key = fold_accents(term)
            if key not in best or count > frequencies[best[key]]:
                best[key] = term
        return best


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


def restore_diacritics(generation: Generation, text: str) -> str | None:
    """Suggest the accented form of a query typed without diacritics, from the index's own words."""
    words_map, syllables_map = generation.suggest_maps
    syllables = fold_accents(text.lower()).split()
    out, i = [], 0
    while i < len(syllables):
        for size in (3, 2, 1):
            key = "_".join(syllables[i:i + size])
            found = (words_map if size > 1 else syllables_map).get(key) if i + size <= len(syllables) else None
            if found:
                out.append(found.replace("_", " "))
                i += size
                break
        else:
            out.append(syllables[i])
            i += 1
    suggestion = " ".join(out)
    return suggestion if suggestion != text.lower() else None
