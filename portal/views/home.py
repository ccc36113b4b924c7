"""Home page: search box, years at a glance, recent notices, saved searches (kept in the browser)."""

from flask import Blueprint
from flask import render_template
from werkzeug.datastructures import MultiDict

from portal.pages import search_page
from portal.pages import years_page

bp = Blueprint("home", __name__)
RECENT = 10


@bp.route("/")
def index():
    """The front page."""
    _, recent = search_page(MultiDict())
    return render_template("home/index.html", recent=recent["hits"][:RECENT], total=recent["total"],
                           empty=recent["collection_empty"], years=years_page())


@bp.route("/opensearch.xml")
def opensearch():
    """The OpenSearch description, so that browsers offer the portal as a search engine."""
    xml = render_template("opensearch.xml")
    return xml, 200, {"Content-Type": "application/opensearchdescription+xml; charset=utf-8"}
