"""The workspace's time source: ``WORKSPACE_CLOCK`` in the app config, so tests can move time on."""

import datetime

from flask import current_app


def now() -> float:
    """Return the current time in seconds since the epoch, from the app's clock."""
    return current_app.config["WORKSPACE_CLOCK"]()


def iso(seconds: float) -> str:
    """Return a moment as an ISO 8601 UTC timestamp (seconds precision)."""
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat(timespec="seconds")
