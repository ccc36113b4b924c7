"""The one narrow interface between the portal and its search engine.

Views call :func:`search`, :func:`get_doc`, :func:`get_originals`, :func:`browse_years` and
:func:`browse_year`; each returns plain data (dicts, lists, strings, Markup snippets) that HTML and
JSON views render alike. A larger deployment can put another engine behind these five functions. :func:`recall` and
:func:`remember` keep whole answers to repeated links for as long as the generation is served;
:func:`generation_tag` names that generation, for HTTP validators.
"""

import contextlib
import os

import numpy as np
from flask import current_app
from whoosh import query as wq

from indexer.refs import ref_key
from portal import engine
from portal import ranking
from portal.citation import cite
from portal.engine import FACET_FIELDS
from portal.engine import WhooshEngine
from portal.highlight import match_spans
from portal.highlight import snippet
from portal.params import PER_PAGE
from portal.params import SearchParams
from portal.passages import query_passage
from portal.query import parse_query

IndexUnavailable = engine.IndexUnavailable
RELATED = 5


def _engine() -> WhooshEngine:
    engines = current_app.extensions.setdefault("search_engines", {})
    root = current_app.config["INDEX_PATH"]
    if root not in engines:
        engines[root] = WhooshEngine(root, current_app.config["SEARCH_CACHE_SIZE"])
    return engines[root]


@contextlib.contextmanager
def _serving(generation=None):
    """Yield the served generation (or the one given), holding its lock: its reader is not thread-safe."""
    generation = generation or _engine().generation()
    with generation.lock:
        yield generation


def _iso_number(date: str | None, default: int) -> int:
    return int(date.replace("-", "")) if date else default


def _base_mask(generation, params: SearchParams, parsed, evaluation) -> np.ndarray:
    """Documents matching the text, the query's own field filters and the date range."""
    arrays = generation.arrays
    base = arrays.live.copy() if evaluation.matched is None else evaluation.matched & arrays.live
    for prefix, typed in parsed.filters.items():
        field = FACET_FIELDS[prefix]
        base &= arrays.facets[field].mask(arrays.size, engine.resolve_values(generation, field, typed))
    if params.date_from or params.date_to:
        low, high = _iso_number(params.date_from, 0), _iso_number(params.date_to, 99_999_999)
        base &= (arrays.dates >= low) & (arrays.dates <= high) & (arrays.dates > 0)
    return base


def _facet_counts(generation, params: SearchParams, base: np.ndarray, selections: dict) -> dict:
    facets = {}
    for facet, field in FACET_FIELDS.items():
        # Counts as if this facet's own selection were off, so that a second value can be added.
        mask = base.copy()
        for other, selected in selections.items():
            if other != facet:
                mask &= selected
        counts = generation.arrays.facets[field].counts(mask)
        chosen = params.selected(facet)
        for value in chosen:
            counts.setdefault(value, 0)
        facets[facet] = [
            {"value": value, "count": count, "selected": value in chosen}
            for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
    return facets


def _hit(stored: dict, parsed, missing: list[str]) -> dict:
    meta = stored["meta"]
    body, skip, phrases = stored["body"], stored.get("body_offset", 0), parsed.phrases()
    spans = match_spans(body, phrases)
    # The point (or paragraph) matching best, and its anchor on the notice page; none when browsing.
    passage = query_passage(body, phrases, skip, spans) or {}
    return {
        "missing": missing,
        "id": meta["id"], "title": meta.get("title") or meta["id"], "date": meta.get("date"),
        "number": meta.get("number"), "type": meta.get("type"), "signer": meta.get("signer"),
        "chair": meta.get("chair"), "units": meta.get("units", []), "topics": meta.get("topics", []),
        "snippet": snippet(body, phrases, skip=skip, spans=spans),
        "passage": passage.get("html"), "passage_label": passage.get("label"), "anchor": passage.get("anchor"),
        "citation": cite(meta),
    }


def search(params: SearchParams, per_page: int = PER_PAGE) -> dict:
    """Run a search: one page of hits, exact facet counts over every match, a suggestion.

    A repeated search (same canonical parameters, same index generation) is answered from a
    small cache: shared links are opened again and again. Callers must not modify the result.

    :raise IndexUnavailable: no index has been built yet
    """
    engine_ = _engine()
    generation = engine_.generation()
    key = (generation.name, params, per_page)
    result = engine_.cache.get(key)
    if result is None:
        result = _search(generation, params, per_page)
        engine_.cache.put(key, result)
    return result


def recall(key: tuple):
    """Return what :func:`remember` kept under ``key`` for the served generation, or None."""
    engine_ = _engine()
    return engine_.cache.get((engine_.generation().name, *key))


def remember(key: tuple, value) -> None:
    """Keep ``value`` (immutable) under ``key`` until the index generation changes or it ages out."""
    engine_ = _engine()
    engine_.cache.put((engine_.generation().name, *key), value)


def _matching(generation, params: SearchParams, parsed, evaluation) -> tuple[np.ndarray, np.ndarray, dict]:
    """Return the base mask (text, query filters, dates), the matching documents and facet selections."""
    arrays = generation.arrays
    base = _base_mask(generation, params, parsed, evaluation)
    selections = {
        facet: arrays.facets[FACET_FIELDS[facet]].mask(arrays.size, params.selected(facet))
        for facet in FACET_FIELDS if params.selected(facet)
    }
    matched = base.copy()
    for selected in selections.values():
        matched &= selected
    return base, np.flatnonzero(matched), selections


def _most_words(evaluation, docs: np.ndarray, page_docs: np.ndarray, widened: bool) -> dict | None:
    """Say how many notices hold every word and which words the best notice (and every notice) lacks.

    None when the notices shown hold every word typed.
    """
    best = int(page_docs[0]) if len(page_docs) else None
    missing = [p.typed for p, mask in evaluation.loose if best is None or not mask[best]]
    if not (widened or (best is not None and missing)):
        return None
    return {
        "all_words_total": evaluation.holding_every_word(docs),
        "missing": missing,
        "missing_everywhere": [p.typed for p, mask in evaluation.loose if not mask.any()],
    }


def _search(generation, params: SearchParams, per_page: int) -> dict:
    with _serving(generation):
        arrays = generation.arrays
        parsed = parse_query(params.q)
        evaluation = ranking.evaluate(arrays, parsed, current_app.config["SEARCH_TIME_LIMIT"])
        if params.all_words:
            evaluation = evaluation.every_word()
        base, docs, selections = _matching(generation, params, parsed, evaluation)
        widened = False
        if evaluation.relaxed is not None and not params.all_words and len(docs) < per_page:
            relaxed = evaluation.most_words(arrays)
            wider = _matching(generation, params, parsed, relaxed)
            if len(wider[1]) > len(docs):
                widened, evaluation, (base, docs, selections) = True, relaxed, wider
        ordered = ranking.rank(arrays, docs, evaluation, parsed, params.effective_sort, params.page * per_page,
                               arrays.title)
        page_docs = ordered[(params.page - 1) * per_page:params.page * per_page]
        most_words = _most_words(evaluation, docs, page_docs, widened) if evaluation.loose else None
        # Deleted notices' words linger in the lexicon: an empty collection has nothing to suggest.
        folded = bool(arrays.doc_count) and any(not p.exact for p in parsed.phrases())
        facets = _facet_counts(generation, params, base, selections)
        return {
            "query": params.q,
            "total": len(docs),
            "collection_size": arrays.doc_count,
            "page": params.page,
            "per_page": per_page,
            "pages": max(1, -(-len(docs) // per_page)),
            "hits": [_hit(generation.searcher().stored_fields(int(docnum)), parsed,
                          [p.typed for p, mask in evaluation.loose if most_words and not mask[docnum]])
                     for docnum in page_docs],
            "most_words": most_words,
            "facets": facets,
            "histogram": sorted(facets["year"], key=lambda item: item["value"]),
            "suggestion": engine.suggestion(parsed, engine.restore_accents(generation, parsed) if folded else None),
            "problems": list(params.problems)
            + (["Câu tìm kiếm quá dài đã được cắt bớt"] if parsed.truncated else [])
            + (["Tìm kiếm mất quá nhiều thời gian: kết quả có thể chưa đầy đủ"] if evaluation.late else []),
            "generation": generation.name,
        }


def get_doc(doc_id: str, q: str = "") -> dict | None:
    """Return a notice's metadata and text, with what cites it and related notices; None if absent."""
    with _serving() as generation:
        searcher = generation.searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        stored = searcher.stored_fields(docnum)
        meta = stored["meta"]
        numbers = {ref: _number_owner(searcher, ref) for ref in meta.get("references", [])}
        cited_by = []
        if meta.get("number"):
            cited_by = [searcher.stored_fields(d)["meta"] for d in
                        searcher.docs_for_query(wq.Term("cites", ref_key(meta["number"]))) if d != docnum]
        related = [hit["meta"] for hit in searcher.more_like(docnum, "body", text=stored["body"], top=RELATED)]
        return {"id": meta["id"], "meta": meta, "text": stored["body"], "references": numbers,
                "cited_by": cited_by, "related": related, "phrases": parse_query(q).phrases()}


def _stored_fields(generation, doc_id: str) -> dict | None:
    """Return a notice's stored fields in the generation (whose lock the caller holds); None if absent."""
    searcher = generation.searcher()
    docnum = searcher.document_number(id=doc_id)
    return None if docnum is None else searcher.stored_fields(docnum)


def get_originals(doc_id: str) -> list | None:
    """Return the original files of a notice as the index stored them (paths included); None if absent."""
    with _serving() as generation:
        stored = _stored_fields(generation, doc_id)
        if stored is None:
            return None
        originals = stored["meta"].get("originals")
        return list(originals) if isinstance(originals, list) else []


def _number_owner(searcher, number: str) -> str | None:
    docnum = next(iter(searcher.docs_for_query(wq.Term("number_key", ref_key(number)))), None)
    return None if docnum is None else searcher.stored_fields(docnum)["id"]


def browse_years() -> list[dict]:
    """Return every year with its number of notices (undated ones last)."""
    with _serving() as generation:
        counts = generation.arrays.facets["year"].counts(generation.arrays.live)
        return [{"value": year, "count": counts[year]} for year in sorted(counts)]


def browse_year(year: str) -> list[dict]:
    """Return the months of a year, each with its notices (newest first)."""
    with _serving() as generation:
        arrays = generation.arrays
        docs = np.flatnonzero(arrays.facets["year"].mask(arrays.size, [year]))
        months: dict[str, list[dict]] = {}
        searcher = generation.searcher()
        for docnum in docs:
            meta = searcher.stored_fields(int(docnum))["meta"]
            months.setdefault((meta.get("date") or "")[:7] or "none", []).append(meta)
        return [
            {"month": month, "notices": sorted(notices, key=lambda m: (m.get("date") or "", m["id"]), reverse=True)}
            for month, notices in sorted(months.items(), reverse=True)
        ]


def generation_tag() -> str | None:
    """Name the served index generation, distinct for every build; None before the first build."""
    store = _engine().store
    name = store.current_name()
    try:
        made = os.stat(os.path.join(store.root, name)).st_ctime_ns if name else None
    except OSError:  # replaced since: the next request names the new one
        return None
    # Numbers start again in a folder deleted and rebuilt: when the folder was made tells the two apart.
    return None if made is None else f"{name}-{made % 16 ** 8:08x}"


def stored_notice(doc_id: str) -> dict | None:
    """Return a notice as the index stores it (``meta``, ``text``, ``body_offset``), for the workspace."""
    with _serving() as generation:
        stored = _stored_fields(generation, doc_id)
        if stored is None:
            return None
        return {"meta": stored["meta"], "text": stored["body"], "body_offset": stored.get("body_offset", 0),
                "generation": generation.name}


def all_metadata() -> list[dict]:
    """Return the metadata of every notice in the served generation (the workspace's queue and names)."""
    with _serving() as generation:
        reader = generation.reader
        return [reader.stored_fields(docnum)["meta"] for docnum in reader.all_doc_ids()]


def summarize_notices(summary) -> list:
    """Return ``summary(meta, text)`` of every notice of the served generation, read in one pass.

    For the workspace's review queue: it keeps a summary of each notice, never every text and meta.
    """
    with _serving() as generation:
        reader = generation.reader
        return [summary(stored["meta"], stored["body"])
                for stored in (reader.stored_fields(docnum) for docnum in reader.all_doc_ids())]
