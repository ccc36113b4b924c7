"""Server-side sessions: the ``qt_session`` cookie holds a random token, the database only its SHA-256.

A session ends on sign-out, after ``SESSION_IDLE_MINUTES`` without a request, and
``SESSION_MAX_HOURS`` after sign-in, whatever the browser keeps: both limits are checked here.
"""

import dataclasses
import hashlib
import secrets
import sqlite3

from flask import Response

from portal.workspace.db import transaction

COOKIE = "qt_session"
COOKIE_PATH = "/quan-tri"
# token_urlsafe(32) gives 43 characters; anything much longer is not ours.
MAX_TOKEN = 128
MAX_AGENT = 200


@dataclasses.dataclass(frozen=True)
class Policy:
    """Idle and absolute lifetimes of a session, in seconds."""

    idle: float
    max_age: float

    @classmethod
    def from_config(cls, config) -> "Policy":
        """Read the lifetimes from the app config."""
        return cls(float(config["SESSION_IDLE_MINUTES"]) * 60, float(config["SESSION_MAX_HOURS"]) * 3600)


def token_id(token: str) -> str:
    """Return the database key of a session token: a leaked table gives no usable cookie."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create(db: sqlite3.Connection, user_id: int, now: float, policy: Policy, address: str | None,
           agent: str | None) -> str:
    """Start a session for an account and return its token (for the cookie only; never stored)."""
    token = secrets.token_urlsafe(32)
    with transaction(db):
        db.execute("DELETE FROM sessions WHERE last_seen <= ? OR created <= ?", (now - policy.idle, now - policy.max_age))
        db.execute("INSERT INTO sessions (id, user_id, created, last_seen, csrf, address, agent) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (token_id(token), user_id, now, now, secrets.token_urlsafe(32), address, (agent or "")[:MAX_AGENT]))
    return token


def load(db: sqlite3.Connection, token: str | None, now: float, policy: Policy) -> tuple[dict | None, bool]:
    """Return ``(session, expired)``: the live session a token opens (its ``last_seen`` moved to now), or None.

    ``expired`` is true when the token named a session that has just run out (it is deleted).
    """
    if not token or len(token) > MAX_TOKEN:
        return None, False
    row = db.execute("SELECT s.id, s.user_id, s.created, s.last_seen, s.csrf, u.name, u.role FROM sessions s "
                     "JOIN users u ON u.id = s.user_id WHERE s.id = ? AND u.disabled = 0",
                     (token_id(token),)).fetchone()
    if row is None:
        return None, False
    if now - row["last_seen"] > policy.idle or now - row["created"] > policy.max_age:
        end(db, row["id"])
        return None, True
    db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (now, row["id"]))
    return dict(row), False


def end(db: sqlite3.Connection, session_id: str) -> None:
    """End a session by its database key."""
    db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


def end_token(db: sqlite3.Connection, token: str | None) -> None:
    """End the session a token opens, if any (the one a request carried before signing in)."""
    if token and len(token) <= MAX_TOKEN:
        end(db, token_id(token))


def set_cookie(response: Response, token: str, secure: bool) -> None:
    """Give the browser the session cookie: HttpOnly, SameSite=Lax, for /quan-tri only, Secure over HTTPS.

    No Max-Age: the cookie goes when the browser closes; the server enforces the lifetimes.
    """
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, secure=secure, httponly=True, samesite="Lax")


def clear_cookie(response: Response, secure: bool) -> None:
    """Tell the browser to drop the session cookie."""
    response.delete_cookie(COOKIE, path=COOKIE_PATH, secure=secure, httponly=True, samesite="Lax")
