"""Page data builders: one function per page computes the data; HTML and JSON views render it.

Builders add what templates must not compute: URLs for every facet toggle, chip, page and feed.
"""

from flask import abort
from flask import url_for

from portal import citation
from portal import provenance
from portal import search as search_service
from portal.params import FACETS
from portal.params import SearchParams
from portal.params import parse_params

FACET_LABELS = {"year": "Năm", "signer": "Người ký", "unit": "Đơn vị", "topic": "Chủ đề",
                "chair": "Người chủ trì", "type": "Loại văn bản"}
FACET_TOP = 8
# Stored metadata the JSON twin leaves out: server-side paths, the archivists' provenance, and what it
# gives under keys of its own.
PRIVATE_META = ("path", "origin", "originals", "provenance")


def search_url(params: SearchParams, endpoint: str = "search.results", **values) -> str:
    """Return the canonical URL of a search on one of the search endpoints."""
    query = params.query_string()
    return url_for(endpoint, **values) + (f"?{query}" if query else "")


def _facet_blocks(params: SearchParams, facets: dict) -> list[dict]:
    blocks = []
    for facet in FACETS:
        items = [
            {**item, "toggle_url": search_url(params.toggled(facet, item["value"])),
             "label": year_label(item["value"]) if facet == "year" else item["value"]}
            for item in facets[facet]
        ]
        if items:
            blocks.append({"name": facet, "label": FACET_LABELS[facet], "entries": items,
                           "top": items[:FACET_TOP], "more": items[FACET_TOP:],
                           "alphabetical": sorted(items, key=lambda i: i["label"].lower())})
    return blocks


def _chips(params: SearchParams) -> list[dict]:
    chips = [
        {"label": f"{FACET_LABELS[facet]}: {year_label(value) if facet == 'year' else value}",
         "remove_url": search_url(params.toggled(facet, value))}
        for facet in FACETS for value in params.selected(facet)
    ]
    for name, label in (("date_from", "Từ ngày"), ("date_to", "Đến ngày")):
        if getattr(params, name):
            chips.append({"label": f"{label}: {vn_date(getattr(params, name))}",
                          "remove_url": search_url(params.replace(**{name: None}))})
    return chips


def _pagination(params: SearchParams, pages: int) -> dict:
    def link(page):
        return search_url(params.replace(page=page))

    window = range(max(1, params.page - 3), min(pages, params.page + 3) + 1)
    return {
        "current": params.page, "pages": pages,
        "previous": link(params.page - 1) if params.page > 1 else None,
        "next": link(params.page + 1) if params.page < pages else None,
        "links": [{"page": p, "url": link(p), "current": p == params.page} for p in window],
    }


def _loosen(params: SearchParams) -> list[dict]:
    """Suggest what to drop when a search finds nothing."""
    options = [{"label": chip["label"], "url": chip["remove_url"]} for chip in _chips(params)]
    if params.q and (options or params.date_from or params.date_to):
        options.append({"label": "Bỏ mọi bộ lọc", "url": search_url(SearchParams(q=params.q))})
    if params.q:
        options.append({"label": "Bỏ từ khóa, giữ bộ lọc", "url": search_url(params.replace(q=""))})
    return options


def _most_words_note(params: SearchParams, most_words: dict | None) -> dict | None:
    """Say that too few notices hold every word, which words the best one lacks, and offer all words again."""
    if not most_words:
        return None
    count = most_words["all_words_total"]
    lead = ("Không có văn bản nào chứa đủ mọi từ đã gõ" if not count
            else f"Chỉ có {count} văn bản chứa đủ mọi từ đã gõ (xếp trước)")
    return {
        "text": f"{lead}; dưới đây là các văn bản chứa nhiều từ nhất, từ hiếm được coi trọng hơn.",
        "missing": ", ".join(most_words["missing"]),
        "all_words_url": search_url(params.replace(all_words=True)),
    }


def search_page(args) -> tuple[SearchParams, dict]:
    """Build everything the results page and its twins show."""
    params = parse_params(args)
    result = search_service.search(params)
    context = _context_args(params)
    hits = [{**hit, "url": url_for("doc.show", doc_id=hit["id"], **context)} for hit in result["hits"]]
    suggestion = result["suggestion"]
    blocks = _facet_blocks(params, result["facets"])
    years = next((b["entries"] for b in blocks if b["name"] == "year"), [])
    page = {
        **result,
        "hits": hits,
        "params": params,
        "facet_blocks": blocks,
        "histogram": [{"url": y["toggle_url"], "label": y["label"], "count": y["count"]}
                      for y in sorted(years, key=lambda item: item["value"])],
        "histogram_max": max((item["count"] for item in years), default=0),
        "form_fields": [(k, v) for k, v in params.items() if k not in ("from", "to", "page")],
        "chips": _chips(params),
        "pagination": _pagination(params, result["pages"]),
        "collection_empty": not result["collection_size"],
        "loosen": _loosen(params) if not result["total"] and result["collection_size"] else [],
        "most_words_note": _most_words_note(params, result["most_words"]),
        "suggestion_url": search_url(params.replace(q=suggestion)) if suggestion else None,
        "sort_links": [
            {"value": value, "label": label, "url": search_url(params.replace(sort=value, page=params.page)),
             "current": params.effective_sort == value}
            for value, label in (("phu-hop", "Phù hợp nhất"), ("moi-nhat", "Mới nhất"), ("cu-nhat", "Cũ nhất"))
            if value != "phu-hop" or params.q
        ],
        "canonical_url": search_url(params, _external=True),
        "json_url": search_url(params, "api.search"),
        "atom_url": search_url(params.replace(page=1), "search.atom"),
        "csv_url": search_url(params.replace(page=1), "search.csv"),
        "title": search_title(params),
    }
    page["share"] = {"url": page["canonical_url"], "json_url": page["json_url"], "kind": "website",
                     "title": page["title"],
                     "description": f"{result['total']} văn bản phù hợp trong kho thông báo kết luận."}
    return params, page


def _context_args(params: SearchParams) -> dict:
    """The search a notice was opened from travels with it, for highlights and previous/next."""
    args: dict[str, list[str]] = {}
    for name, value in params.items():
        args.setdefault(name, []).append(value)
    return args


def _neighbours(doc_id: str, params: SearchParams) -> dict:
    """Find the notices before and after ``doc_id`` in the search it was opened from."""
    result = search_service.search(params)
    ids = [hit["id"] for hit in result["hits"]]
    if doc_id not in ids:
        return {}
    position = ids.index(doc_id)
    before = result["hits"][position - 1] if position > 0 else None
    after = result["hits"][position + 1] if position + 1 < len(ids) else None
    if before is None and params.page > 1:
        before = (search_service.search(params.replace(page=params.page - 1))["hits"] or [None])[-1]
        before_params = params.replace(page=params.page - 1)
    else:
        before_params = params
    if after is None and params.page < result["pages"]:
        after = (search_service.search(params.replace(page=params.page + 1))["hits"] or [None])[0]
        after_params = params.replace(page=params.page + 1)
    else:
        after_params = params
    return {
        "previous": before and {"title": before["title"],
                                "url": url_for("doc.show", doc_id=before["id"], **_context_args(before_params))},
        "next": after and {"title": after["title"],
                           "url": url_for("doc.show", doc_id=after["id"], **_context_args(after_params))},
        "position": (params.page - 1) * result["per_page"] + position + 1,
        "total": result["total"],
    }


def search_title(params: SearchParams) -> str:
    """Describe a search in a few words (page title, feed title, link previews)."""
    parts = [f"“{params.q}”"] if params.q else []
    parts += [f"{FACET_LABELS[f].lower()} {', '.join(params.selected(f))}" for f in FACETS if params.selected(f)]
    return "Tìm kiếm " + "; ".join(parts) if parts else "Tất cả văn bản"


def doc_page(doc_id: str, args) -> dict:
    """Build the notice page; 404 when the id is unknown."""
    params = parse_params(args)
    doc = search_service.get_doc(doc_id, params.q)
    if doc is None:
        abort(404)
    meta = doc["meta"]
    details = [meta.get("type") or "Văn bản", f"số {meta['number']}" if meta.get("number") else "",
               f"ngày {vn_date(meta['date'])}" if meta.get("date") else "", ", ".join(meta.get("units", []))]
    doc["share"] = {"url": url_for("doc.show", doc_id=doc_id, _external=True),
                    "json_url": url_for("api.doc", doc_id=doc_id), "kind": "article",
                    "title": meta.get("title") or doc_id, "description": " · ".join(d for d in details if d)}
    doc["public_meta"] = {key: value for key, value in meta.items() if key not in PRIVATE_META}
    doc["citation"] = citation.cite(meta)
    doc["origin"] = meta.get("origin")
    doc["origin_notes"] = provenance.origin_notes(meta.get("origin"))
    doc["originals"] = provenance.public_originals(doc_id, meta.get("originals"))
    doc["search"] = params if params.items() else None
    doc["search_url"] = search_url(params) if params.items() else None
    doc["neighbours"] = _neighbours(doc_id, params) if params.items() else {}
    return doc


def original_file(doc_id: str, number: int) -> dict:
    """Find a notice's ``number``-th original (1-based) among those the index stored; 404 otherwise."""
    originals = search_service.get_originals(doc_id)
    if not originals or not 1 <= number <= len(originals) or not isinstance(originals[number - 1], dict):
        abort(404)
    return originals[number - 1]


def vn_date(value: str | None) -> str:
    """Write an ISO date the Vietnamese way: ``2008-05-16`` -> ``16/5/2008``."""
    if not value:
        return ""
    year, month, day = value.split("-")
    return f"{int(day)}/{int(month)}/{year}"


def year_label(value: str) -> str:
    """Label a year facet value; undated notices have their own."""
    return "Không rõ ngày" if value == "none" else value


def month_label(value: str) -> str:
    """Label a ``2014-06`` month as ``Tháng 6/2014``."""
    if value == "none" or len(value) != 7:
        return "Không rõ ngày"
    return f"Tháng {int(value[5:])}/{value[:4]}"


def years_page() -> list[dict]:
    """Build the list of years with their counts and links."""
    rows = search_service.browse_years()
    for row in rows:
        row["url"] = url_for("browse.year", year=row["value"])
        row["label"] = year_label(row["value"])
    return rows


def year_page(year: str) -> list[dict]:
    """Build the months of a year with their notices; 404 for a year without any."""
    months = search_service.browse_year(year)
    if not months:
        abort(404)
    for month in months:
        month["label"] = month_label(month["month"])
        dated = month["month"] != "none"
        month["url"] = url_for("browse.month", year=year, month=month["month"][5:]) if dated else None
        for notice in month["notices"]:
            notice["url"] = url_for("doc.show", doc_id=notice["id"])
    return months


def month_page(year: str, month: str) -> dict:
    """Build one month's notices; 404 when the month has none."""
    key = f"{year}-{month}"
    found = [m for m in year_page(year) if m["month"] == key]
    if not found:
        abort(404)
    return found[0]
