"""The workspace's time source: ``WORKSPACE_CLOCK`` in the app config, so tests can move time on."""

import datetime

from flask import current_app


def now() -> float:
    """Return the current time in seconds since the epoch, from the app's clock."""
    return current_app.config["WORKSPACE_CLOCK"]()


def iso(seconds: float) -> str:
    """Return a moment as an ISO 8601 UTC timestamp (seconds precision)."""
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat(timespec="seconds")


# Vietnam keeps one offset all year: the pages show the workspace's times in it.
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


def local_time(value: str, seconds: bool = False) -> str:
    """Show a stored time (ISO, UTC) in Vietnam's time: ``16/06/2025 19:00`` (``:05`` with seconds)."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")
