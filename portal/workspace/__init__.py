"""The archivists' workspace (/quan-tri): accounts, sessions, CSRF, roles and the audit log underneath.

Everything lives in one SQLite database, ``WORKSPACE_DB`` (``instance/workspace.sqlite3``, or
``$PORTAL_WORKSPACE_DB`` when set), created on first use. Throttling keys on ``request.remote_addr``:
behind a reverse proxy, wrap the app in Werkzeug's ``ProxyFix`` with the number of proxies you trust,
or every client shares the proxy's address; ``X-Forwarded-For`` is never read otherwise, as any
client can write it.
"""

import os
import threading
import time

from flask import Flask
from flask import current_app

DEFAULTS = {
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_LOCK_MINUTES": 15,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 8,
    # Seconds since the epoch; tests put a clock they can move here.
    "WORKSPACE_CLOCK": time.time,
    # Arguments of argon2.PasswordHasher; None keeps argon2-cffi's defaults (RFC 9106 low-memory).
    "WORKSPACE_ARGON2": None,
}


def init_app(app: Flask) -> None:
    """Set the workspace's config defaults and register its hooks, CLI commands and blueprints."""
    from portal.views import admin
    from portal.views import admin_history
    from portal.views import admin_notices
    from portal.views import admin_uploads
    from portal.views import admin_variants
    from portal.workspace import access
    from portal.workspace import cli
    from portal.workspace import db

    # PORTAL_WORKSPACE_DB lets a server and `flask users` share a database outside instance/ (tests, staging).
    app.config.setdefault("WORKSPACE_DB", os.environ.get("PORTAL_WORKSPACE_DB")
                          or os.path.join(app.instance_path, "workspace.sqlite3"))
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    db.init_app(app)
    app.before_request(access.guard)
    app.after_request(access.finish)
    app.add_template_global(access.current_token, "csrf_token")
    app.cli.add_command(cli.users)
    app.cli.add_command(cli.audit_group)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_history.bp)
    app.register_blueprint(admin_notices.bp)
    app.register_blueprint(admin_uploads.bp)
    app.register_blueprint(admin_variants.bp)


def rebuilder(app: Flask | None = None):
    """Return the app's one background index updater (made on first use)."""
    from portal.workspace.rebuild import Rebuilder

    app = app or current_app
    found = app.extensions.get("workspace.rebuilder")
    if found is None:
        found = app.extensions.setdefault("workspace.rebuilder", Rebuilder(app.config["INDEX_PATH"]))
    return found


def rebuild_index() -> int:
    """Ask for a background update of the current app's index after a change; return its ticket.

    Once the update is published, this worker opens the new generation at once: the next search
    here, the archivist's or a reader's, does not wait for it.
    """
    app = current_app._get_current_object()
    updater = rebuilder(app)
    ticket = updater.request()
    threading.Thread(target=_open_when_updated, args=(app, updater, ticket), name="index-open", daemon=True).start()
    return ticket


def _open_when_updated(app: Flask, updater, ticket: int) -> None:
    if not updater.wait(ticket, timeout=2 * updater.timeout) or not (updater.last and updater.last.ok):
        return
    from portal import search

    try:
        with app.app_context():
            search.browse_years()  # any call of the search service opens the served generation
    except Exception:  # noqa: BLE001 (a thread of its own: the next request opens it, or says why it cannot)
        app.logger.exception("opening the updated index in the background failed")
