"""Sign-in throttling: failures counted per account and per address in SQLite, so every worker sees them.

``LOGIN_MAX_FAILURES`` failures of one key within ``LOGIN_WINDOW_MINUTES`` lock that key for
``LOGIN_LOCK_MINUTES``; the count starts again when the lock ends. Keys are ``account:<name>``
(any name, known or not, so a lock says nothing about which names exist) and ``address:<ip>``.
"""

import dataclasses
import sqlite3

from portal.workspace.db import transaction


@dataclasses.dataclass(frozen=True)
class Policy:
    """How many failures within which window lock a key, and for how long (seconds)."""

    max_failures: int
    window: float
    lock: float

    @classmethod
    def from_config(cls, config) -> "Policy":
        """Read the policy from the app config."""
        return cls(int(config["LOGIN_MAX_FAILURES"]), float(config["LOGIN_WINDOW_MINUTES"]) * 60,
                   float(config["LOGIN_LOCK_MINUTES"]) * 60)


def account_key(name: str) -> str:
    """Return the throttle key of a (normalized) account name."""
    return f"account:{name}"


def address_key(address: str | None) -> str:
    """Return the throttle key of a client address."""
    return f"address:{address or 'unknown'}"


def locked(db: sqlite3.Connection, keys: list[str], now: float) -> bool:
    """Return whether any of the keys is locked at ``now``."""
    marks = ", ".join("?" * len(keys))
    row = db.execute(f"SELECT 1 FROM login_locks WHERE key IN ({marks}) AND until > ? LIMIT 1", (*keys, now))
    return row.fetchone() is not None


def record_failure(db: sqlite3.Connection, keys: list[str], now: float, policy: Policy) -> list[str]:
    """Count a failed sign-in against every key; return the keys it locked."""
    newly_locked = []
    with transaction(db):
        db.execute("DELETE FROM login_failures WHERE at <= ?", (now - policy.window,))
        db.execute("DELETE FROM login_locks WHERE until <= ?", (now,))
        for key in keys:
            db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now))
            count = db.execute("SELECT COUNT(*) FROM login_failures WHERE key = ?", (key,)).fetchone()[0]
            if count >= policy.max_failures:
                db.execute("INSERT OR REPLACE INTO login_locks (key, until) VALUES (?, ?)", (key, now + policy.lock))
                db.execute("DELETE FROM login_failures WHERE key = ?", (key,))
                newly_locked.append(key)
    return newly_locked


def clear(db: sqlite3.Connection, key: str) -> None:
    """Forget a key's failures and lift its lock (a successful sign-in, a new password)."""
    with transaction(db):
        db.execute("DELETE FROM login_failures WHERE key = ?", (key,))
        db.execute("DELETE FROM login_locks WHERE key = ?", (key,))
