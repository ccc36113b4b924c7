"""JSON twins of the search and notice pages, built by the same functions as the HTML."""

from flask import Blueprint
from flask import jsonify
from flask import request
from werkzeug.datastructures import MultiDict

from portal.pages import doc_page
from portal.pages import month_page
from portal.pages import year_page
from portal.pages import years_page
from portal.pages import search_page
from portal.views.search import canonical
from portal.views.search import remembered

bp = Blueprint("api", __name__, url_prefix="/api")
# passage: the point or paragraph matching best (HTML, marks); passage_label: "Điểm 2.3" or null;
# anchor: its id on the notice page (url + "#" + anchor opens it there). All null without a query.
HIT_FIELDS = ("id", "url", "title", "date", "number", "signer", "chair", "units", "topics", "snippet", "citation",
              "passage", "passage_label", "anchor")
_HTML_FIELDS = ("snippet", "passage")


@bp.route("/search")
@canonical
@remembered
def search():
    """``/api/search`` takes the parameters of ``/tim-kiem`` and returns SPEC's JSON shape."""
    _, page = search_page(request.args)
    # Only when too few notices hold every word: those holding most of them, and what each lacks.
    most_words = page["most_words"] and {**page["most_words"], "all_words_url": page["most_words_note"]["all_words_url"]}
    extra_fields = ("missing",) if most_words else ()
    return jsonify({
        "query": page["query"],
        "total": page["total"],
        "page": page["page"],
        "per_page": page["per_page"],
        "hits": [{key: str(hit[key]) if key in _HTML_FIELDS and hit[key] is not None else hit[key]
                  for key in HIT_FIELDS + extra_fields}
                 for hit in page["hits"]],
        "facets": {name: [{"value": i["value"], "count": i["count"]} for i in items]
                   for name, items in page["facets"].items()},
        "suggestion": page["suggestion"],
        **({"most_words": most_words} if most_words else {}),
    })


@bp.route("/doc/<doc_id>")
def doc(doc_id: str):
    """``/api/doc/<id>``: a notice's metadata and text, how the text was obtained, its original files."""
    data = doc_page(doc_id, MultiDict())
    return jsonify({"id": data["id"], "metadata": data["public_meta"], "text": data["text"],
                    "citation": data["citation"],
                    "origin": data["origin"], "origin_notes": data["origin_notes"],
                    "originals": data["originals"],
                    "references": data["references"],
                    "cited_by": [m["id"] for m in data["cited_by"]],
                    "related": [m["id"] for m in data["related"]]})


def _notice_summary(meta: dict) -> dict:
    return {key: meta.get(key) for key in ("id", "url", "title", "date", "number", "type")}


@bp.route("/nam")
def years():
    """``/api/nam``: years with their number of notices."""
    return jsonify([{"year": row["value"], "count": row["count"]} for row in years_page()])


@bp.route("/nam/<year>")
def year(year: str):
    """``/api/nam/<year>``: the months of a year with their notices."""
    return jsonify([{"month": m["month"], "notices": [_notice_summary(n) for n in m["notices"]]}
                    for m in year_page(year)])


@bp.route("/nam/<year>/<month>")
def month(year: str, month: str):
    """``/api/nam/<year>/<month>``: one month's notices."""
    return jsonify([_notice_summary(n) for n in month_page(year, month)["notices"]])
