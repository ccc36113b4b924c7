"""Home page: what the archive holds (the full search pages come with the portal issue)."""

from flask import Blueprint
from flask import render_template

from portal.index import IndexUnavailable
from portal.index import get_searcher

bp = Blueprint("home", __name__)
RECENT = 20


def _recent_notices() -> tuple[int, list[dict]]:
    searcher = get_searcher()
    docs = [fields["meta"] for fields in searcher.all_stored_fields()]
    docs.sort(key=lambda meta: (meta.get("date") or "", meta["id"]), reverse=True)
    return len(docs), docs[:RECENT]


@bp.route("/")
def index():
    """Show how many notices are indexed and the most recent ones."""
    try:
        total, recent = _recent_notices()
    except IndexUnavailable:
        return render_template("home/no_index.html"), 503
    return render_template("home/index.html", total=total, recent=recent)
