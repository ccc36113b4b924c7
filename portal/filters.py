"""Jinja filters: how dates, months and years read in Vietnamese."""

from flask import Flask

from portal.pages import month_label
from portal.pages import vn_date
from portal.pages import year_label


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.jinja_env.filters.update(vn_date=vn_date, month_label=month_label, year_label=year_label)
