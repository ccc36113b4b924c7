"""The embedded Whoosh engine behind :mod:`portal.search`: nothing else in the portal knows Whoosh.

An engine follows the index folder's CURRENT generation: when a build publishes a new one, the
next request opens it, without a restart. Per generation it keeps, per facet value, the set of
documents that have it, so that counts are exact set intersections over every matching document.
"""

import collections
import threading
import weakref

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.searching import Searcher

from indexer.normalize import fold_accents
from indexer.normalize import match_key
from indexer.segment import word_spans
from indexer.store import IndexStore
from portal.query import ParsedQuery
from portal.query import Phrase

# Facet parameter -> index field.
FACET_FIELDS = {"year": "year", "signer": "signer", "unit": "units", "topic": "topics", "chair": "chair",
                "type": "type"}
WORD_BOOST = 2.0
PHRASE_BOOST = 3.0
NUMBER_BOOST = 1000.0
CITES_BOOST = 50.0


class IndexUnavailable(Exception):
    """No index generation has been published in the configured folder."""


class Generation:
    """One published index generation, opened for searching, with its facet tables."""

    def __init__(self, name: str, path: str):
        self.name = name
        self.index = whoosh_index.open_dir(path)
        self.reader = self.index.reader()
        # Files close with the generation even if nobody calls close() (tests, app teardown).
        self._close_reader = weakref.finalize(self, self.reader.close)  # runs at most once
        self._searcher = None
        # One reader per process and generation; its files are not safe to share across threads.
        self.lock = threading.RLock()
        self.all_docs = frozenset(self.reader.all_doc_ids())
        self.facets = {field: self._postings(field) for field in set(FACET_FIELDS.values())}
        dates = self.reader.column_reader("date")
        self.dates = {doc: dates[doc].decode() if isinstance(dates[doc], bytes) else dates[doc]
                      for doc in self.all_docs}
        self._suggest_maps = None

    def _postings(self, field: str) -> dict[str, frozenset]:
        table = {}
        for term in self.reader.lexicon(field):
            value = term.decode("utf-8") if isinstance(term, bytes) else term
            docs = frozenset(self.reader.postings(field, term).all_ids()) & self.all_docs
            if docs:
                table[value] = docs
        return table

    def close(self) -> None:
        """Close the reader once no request uses it."""
        with self.lock:
            self._close_reader()

    def searcher(self):
        """Return the generation's searcher (callers hold :attr:`lock` while they use it)."""
        if self._searcher is None:
            self._searcher = Searcher(self.reader, fromindex=self.index)
        return self._searcher

    def suggest_maps(self) -> tuple[dict, dict]:
        """Map folded words and syllables to their most frequent accented form in this index."""
        if self._suggest_maps is None:
            self._suggest_maps = tuple(self._fold_map(field) for field in ("body_words", "body"))
        return self._suggest_maps

    def _fold_map(self, field: str) -> dict[str, str]:
        groups: dict[str, list[str]] = {}
        for term in self.reader.lexicon(field):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            groups.setdefault(fold_accents(text), []).append(text)
        # Only folded forms shared by several words need their frequencies looked up.
        return {key: forms[0] if len(forms) == 1 else max(forms, key=lambda f: self.reader.doc_frequency(field, f))
                for key, forms in groups.items()}


class WhooshEngine:
    """Searches the index folder's current generation."""

    def __init__(self, root: str):
        self.store = IndexStore(root)
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


def phrase_query(phrase: Phrase, fields: tuple[str, str]) -> wq.Query:
    """Match a phrase in the title or the body (exact or accent-folded fields)."""
    if len(phrase.syllables) == 1:
        return wq.Or([wq.Term(field, phrase.syllables[0]) for field in fields])
    return wq.Or([wq.Phrase(field, list(phrase.syllables)) for field in fields])


def _fields(phrase: Phrase) -> tuple[str, str]:
    return ("title", "body") if phrase.exact else ("title_fold", "body_fold")


def text_query(parsed: ParsedQuery) -> wq.Query | None:
    """Turn what a parsed query requires into a Whoosh query; None when it requires no text."""
    groups = [wq.Or([phrase_query(p, _fields(p)) for p in group]) for group in parsed.required]
    if not groups and not parsed.number_key:
        return None
    main = wq.And(groups) if groups else wq.NullQuery
    # The query's pyvi words rank documents that use them as words, in the title above all.
    words = [w for _, _, w in word_spans(parsed.plain.lower())] if parsed.plain else []
    boosts = [wq.Term("title_words", w, boost=WORD_BOOST) for w in words if "_" in w]
    boosts += [wq.Term("body_words", w) for w in words if "_" in w]
    singles = [group[0] for group in parsed.required if len(group) == 1]
    if len(singles) > 1 and len(singles) == len(parsed.required):
        # Titles where the words stand together, in the typed order, rank first. (Only titles:
        # checking positions in every matching body costs seconds on common words.)
        together = [fold_accents(s) for p in singles for s in p.syllables]
        boosts.append(wq.Phrase("title_fold", together, boost=PHRASE_BOOST))
    if boosts and groups:
        main = wq.AndMaybe(main, wq.Or(boosts))
    if parsed.number_key:
        main = wq.Or([main, wq.Term("number_key", parsed.number_key, boost=NUMBER_BOOST),
                      wq.Term("cites", parsed.number_key, boost=CITES_BOOST)])
    return main


def excluded_query(parsed: ParsedQuery) -> wq.Query | None:
    """What must not appear. Callers subtract its documents: whoosh3's AndNot lets some through."""
    if not parsed.excluded:
        return None
    return wq.Or([phrase_query(p, _fields(p)) for p in parsed.excluded])


def resolve_values(generation: Generation, field: str, typed: list[str]) -> set[str]:
    """Find the facet values a user meant (``unit:tuy phong`` -> ``Huyện ủy Tuy Phong``)."""
    wanted = [fold_accents(match_key(t)) for t in typed]
    return {value for value in generation.facets[field]
            if any(w and w in fold_accents(match_key(value)) for w in wanted)}


def restore_diacritics(generation: Generation, text: str) -> str | None:
    """Suggest the accented form of a query typed without diacritics, from the index's own words."""
    words_map, syllables_map = generation.suggest_maps()
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


def count_values(table: dict[str, frozenset], docs: frozenset) -> collections.Counter:
    """Count, for each value of a facet, how many of ``docs`` have it."""
    return collections.Counter({value: len(ids & docs) for value, ids in table.items() if not ids.isdisjoint(docs)})


def sort_facet(newest_first: bool) -> sorting.MultiFacet:
    """Date order, ties broken by id so that pages stay the same across rebuilds."""
    return sorting.MultiFacet([sorting.FieldFacet("date", reverse=newest_first), sorting.FieldFacet("id")])
