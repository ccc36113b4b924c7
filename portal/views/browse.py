"""Browse by year and month (``/nam/``, ``/nam/<year>``, ``/nam/<year>/<month>``)."""

from flask import Blueprint
from flask import render_template
from flask import url_for

from portal.pages import month_page
from portal.pages import year_page
from portal.pages import years_page

bp = Blueprint("browse", __name__, url_prefix="/nam")


@bp.route("/")
def years():
    """All years with their number of notices, as a bar chart and a list."""
    rows = years_page()
    return render_template("browse/years.html", rows=rows, bars_max=max((r["count"] for r in rows), default=0),
                           json_url=url_for("api.years"))


@bp.route("/<year>")
def year(year: str):
    """The months of one year, each with its notices."""
    return render_template("browse/year.html", year=year, months=year_page(year),
                           json_url=url_for("api.year", year=year))


@bp.route("/<year>/<month>")
def month(year: str, month: str):
    """The notices of one month."""
    data = month_page(year, month)
    return render_template("browse/month.html", year=year, label=data["label"], notices=data["notices"],
                           json_url=url_for("api.month", year=year, month=month))
