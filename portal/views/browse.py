"""Browse by year and month (``/nam/``, ``/nam/<year>``, ``/nam/<year>/<month>``)."""

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import url_for

from portal import search as search_service
from portal.pages import month_label

bp = Blueprint("browse", __name__, url_prefix="/nam")


@bp.route("/")
def years():
    """All years with their number of notices, as a bar chart and a list."""
    rows = search_service.browse_years()
    top = max((row["count"] for row in rows), default=1)
    for row in rows:
        row["url"] = url_for("browse.year", year=row["value"])
        row["percent"] = round(100 * row["count"] / top)
    return render_template("browse/years.html", rows=rows)


@bp.route("/<year>")
def year(year: str):
    """The months of one year, each with its notices."""
    months = search_service.browse_year(year)
    if not months:
        abort(404)
    for month in months:
        month["label"] = month_label(month["month"])
        month["url"] = url_for("browse.month", year=year, month=month["month"][5:]) if month["month"] != "none" else None
    return render_template("browse/year.html", year=year, months=months)


@bp.route("/<year>/<month>")
def month(year: str, month: str):
    """The notices of one month."""
    key = f"{year}-{month}"
    months = [m for m in search_service.browse_year(year) if m["month"] == key]
    if not months:
        abort(404)
    return render_template("browse/month.html", year=year, label=month_label(key), notices=months[0]["notices"])
