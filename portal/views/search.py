"""Search results (``/tim-kiem``) and their Atom feed and CSV export."""

import csv
import functools
import io

from flask import Blueprint
from flask import Response
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from portal import search as search_service
from portal.pages import search_page
from portal.pages import search_url
from portal.params import parse_params

bp = Blueprint("search", __name__)
FEED_ENTRIES = 50
CSV_MAX_ROWS = 5000
CSV_COLUMNS = ("id", "url", "ngày", "số hiệu", "loại", "tiêu đề", "người ký", "người chủ trì", "đơn vị", "chủ đề")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def canonical(view):
    """Redirect any other spelling of a search to its one canonical URL before running ``view``."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        params = parse_params(request.args)
        if list(request.args.items(multi=True)) != params.items():
            return redirect(search_url(params, request.endpoint), code=301)
        return view(*args, **kwargs)

    return wrapper


def remembered(view):
    """Answer a repeated link (same URL, same index generation) with the bytes sent the first time.

    Shared links are opened again and again; rebuilding the page's links and facets costs more
    than the search itself once its result is cached.
    """
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = ("response", request.endpoint, request.host_url, request.query_string)
        stored = search_service.recall(key)
        if stored is not None:
            body, headers = stored
            return Response(body, headers=headers)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.is_streamed:
            search_service.remember(key, (response.get_data(), list(response.headers.items())))
        return response

    return wrapper


@bp.route("/tim-kiem")
@canonical
@remembered
def results():
    """Show one page of results with facets."""
    _, page = search_page(request.args)
    return render_template("search/results.html", page=page)


@bp.route("/tim-kiem.atom")
@canonical
@remembered
def atom():
    """Serve a search as an Atom feed, newest first, for cadres who subscribe to it."""
    args = request.args.copy()
    args["sort"] = "moi-nhat"
    _, page = search_page(args)
    xml = render_template("search/feed.xml", page=page, entries=page["hits"][:FEED_ENTRIES])
    return Response(xml, mimetype="application/atom+xml")


def _cell(value) -> str:
    text = "; ".join(value) if isinstance(value, list) else str(value or "")
    # A spreadsheet would run a cell starting like a formula: make it plain text.
    return "'" + text if text.startswith(_FORMULA_START) else text


@bp.route("/tim-kiem.csv", endpoint="csv")
@canonical
@remembered
def csv_export():
    """Export every result of a search (up to a limit) as CSV."""
    params = parse_params(request.args)
    result = search_service.search(params.replace(page=1), per_page=CSV_MAX_ROWS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in result["hits"]:
        url = url_for("doc.show", doc_id=hit["id"], _external=True)
        writer.writerow([_cell(v) for v in (hit["id"], url, hit["date"], hit["number"], hit["type"], hit["title"],
                                             hit["signer"], hit["chair"], hit["units"], hit["topics"])])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=tim-kiem.csv"})
