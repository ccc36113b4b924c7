"""The one narrow interface between the portal and its search engine.

Views call :func:`search`, :func:`get_doc`, :func:`browse_years` and :func:`browse_year`; each
returns plain data (dicts, lists, strings, Markup snippets) that HTML and JSON views render alike.
A larger deployment can put another engine behind these four functions.
"""

import contextlib

from flask import current_app
from whoosh import query as wq
from whoosh.collectors import TimeLimitCollector
from whoosh.searching import TimeLimit

from indexer.refs import ref_key
from portal import engine
from portal.engine import FACET_FIELDS
from portal.engine import WhooshEngine
from portal.highlight import snippet
from portal.params import PER_PAGE
from portal.params import SearchParams
from portal.query import parse_query

IndexUnavailable = engine.IndexUnavailable
RELATED = 5


def _engine() -> WhooshEngine:
    engines = current_app.extensions.setdefault("search_engines", {})
    root = current_app.config["INDEX_PATH"]
    if root not in engines:
        engines[root] = WhooshEngine(root)
    return engines[root]


@contextlib.contextmanager
def _serving():
    """Yield the served generation, holding its lock: its reader is not thread-safe."""
    generation = _engine().generation()
    with generation.lock:
        yield generation


def _union(table: dict, values) -> frozenset:
    return frozenset().union(*(table.get(v, frozenset()) for v in values))


def _base_docs(generation, params: SearchParams, parsed) -> tuple[frozenset, object]:
    """Documents matching the text, the query's own field filters and the date range."""
    searcher = generation.searcher()
    text = engine.text_query(parsed)
    docs = frozenset(searcher.docs_for_query(text)) if text else generation.all_docs
    excluded = engine.excluded_query(parsed)
    if excluded is not None:
        docs -= frozenset(searcher.docs_for_query(excluded))
    for prefix, typed in parsed.filters.items():
        field = FACET_FIELDS[prefix]
        docs &= _union(generation.facets[field], engine.resolve_values(generation, field, typed))
    if params.date_from or params.date_to:
        low, high = params.date_from or "0000", params.date_to or "9999"
        docs = frozenset(d for d in docs if generation.dates.get(d) and low <= generation.dates[d] <= high)
    return docs, text


def _facet_counts(generation, params: SearchParams, base: frozenset, selections: dict) -> dict:
    facets = {}
    for facet, field in FACET_FIELDS.items():
        # Counts as if this facet's own selection were off, so that a second value can be added.
        docs = base.intersection(*(s for other, s in selections.items() if other != facet))
        counts = engine.count_values(generation.facets[field], docs)
        chosen = params.selected(facet)
        for value in chosen:
            counts.setdefault(value, 0)
        facets[facet] = [
            {"value": value, "count": count, "selected": value in chosen}
            for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
    return facets


def _timed_search(searcher, query, **kwargs):
    """Search within the request's time budget; past it, keep what was scored so far."""
    collector = TimeLimitCollector(searcher.collector(**kwargs), timelimit=current_app.config["SEARCH_TIME_LIMIT"],
                                   use_alarm=False)  # a timer thread: signals belong to the WSGI server
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        pass
    return collector.results(), collector.timedout


def _ranked(generation, text, matched: frozenset, params: SearchParams, per_page: int) -> tuple[list[int], bool]:
    """Return the docnums up to the requested page, in order, and whether time ran out."""
    searcher = generation.searcher()
    limit = params.page * per_page
    allowed = set(matched)
    if text is not None and params.effective_sort == "phu-hop":
        results, late = _timed_search(searcher, text, filter=allowed, limit=limit)
        # Ties at the cut would fall by internal order, which a rebuild changes: take them all,
        # then order equal scores by id, so that a shared link shows the same page tomorrow.
        while not late and results.scored_length() == limit < len(matched):
            more, late = _timed_search(searcher, text, filter=allowed, limit=limit * 2)
            if late or round(more[limit].score, 6) != round(results[-1].score, 6):
                break
            results, limit = more, limit * 2
        order = sorted((-round(hit.score, 6), hit["id"], hit.docnum) for hit in results)
        return [docnum for _, _, docnum in order], late
    newest = params.effective_sort != "cu-nhat"
    results, late = _timed_search(searcher, wq.Every(), filter=allowed, limit=limit,
                                  sortedby=engine.sort_facet(newest))
    return [hit.docnum for hit in results], late


def _hit(generation, docnum: int, parsed) -> dict:
    stored = generation.searcher().stored_fields(docnum)
    meta = stored["meta"]
    return {
        "id": meta["id"], "title": meta.get("title") or meta["id"], "date": meta.get("date"),
        "number": meta.get("number"), "type": meta.get("type"), "signer": meta.get("signer"),
        "chair": meta.get("chair"), "units": meta.get("units", []), "topics": meta.get("topics", []),
        "snippet": snippet(stored["body"], parsed.phrases(), skip=stored.get("body_offset", 0)),
    }


def search(params: SearchParams, per_page: int = PER_PAGE) -> dict:
    """Run a search: one page of hits, exact facet counts over every match, a suggestion.

    :raise IndexUnavailable: no index has been built yet
    """
    with _serving() as generation:
        parsed = parse_query(params.q)
        base, text = _base_docs(generation, params, parsed)
        selections = {
            facet: _union(generation.facets[FACET_FIELDS[facet]], params.selected(facet))
            for facet in FACET_FIELDS if params.selected(facet)
        }
        matched = base.intersection(*selections.values())
        ranked, late = _ranked(generation, text, matched, params, per_page) if matched else ([], False)
        page_docs = ranked[(params.page - 1) * per_page:params.page * per_page]
        folded = any(not p.exact for p in parsed.phrases())
        facets = _facet_counts(generation, params, base, selections)
        return {
            "query": params.q,
            "total": len(matched),
            "page": params.page,
            "per_page": per_page,
            "pages": max(1, -(-len(matched) // per_page)),
            "hits": [_hit(generation, docnum, parsed) for docnum in page_docs],
            "facets": facets,
            "histogram": sorted(facets["year"], key=lambda item: item["value"]),
            "suggestion": engine.restore_diacritics(generation, parsed.plain) if folded and parsed.plain else None,
            "problems": list(params.problems)
            + (["Câu tìm kiếm quá dài đã được cắt bớt"] if parsed.truncated else [])
            + (["Tìm kiếm mất quá nhiều thời gian: thứ tự kết quả có thể chưa đầy đủ"] if late else []),
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


def _number_owner(searcher, number: str) -> str | None:
    docnum = next(iter(searcher.docs_for_query(wq.Term("number_key", ref_key(number)))), None)
    return None if docnum is None else searcher.stored_fields(docnum)["id"]


def browse_years() -> list[dict]:
    """Return every year with its number of notices (undated ones last)."""
    with _serving() as generation:
        counts = engine.count_values(generation.facets["year"], generation.all_docs)
        return [{"value": year, "count": counts[year]} for year in sorted(counts)]


def browse_year(year: str) -> list[dict]:
    """Return the months of a year, each with its notices (newest first)."""
    with _serving() as generation:
        docs = generation.facets["year"].get(year, frozenset())
        months: dict[str, list[dict]] = {}
        searcher = generation.searcher()
        for docnum in docs:
            meta = searcher.stored_fields(docnum)["meta"]
            months.setdefault((meta.get("date") or "")[:7] or "none", []).append(meta)
        return [
            {"month": month, "notices": sorted(notices, key=lambda m: (m.get("date") or "", m["id"]), reverse=True)}
            for month, notices in sorted(months.items(), reverse=True)
        ]
