"""The workspace's one SQLite database: accounts, sessions, sign-in throttling and the audit log.

Each part of the workspace owns its tables and adds them as one step of ``MIGRATIONS``; the number
of steps applied is kept in ``PRAGMA user_version``, so opening an older file brings it up to date.
"""

import contextlib
import os
import sqlite3

from flask import Flask
from flask import current_app
from flask import g

# Seconds a writer waits for another worker's transaction before giving up.
BUSY_TIMEOUT = 5.0


def connect(path: str) -> sqlite3.Connection:
    """Open the database at ``path`` (created 0600 when absent) with WAL, foreign keys and a busy timeout."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    # Password hashes live here: the file is readable by its owner only. SQLite gives its -wal and
    # -shm files the database file's permissions.
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    # Autocommit: every write that must be atomic says so with transaction().
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection):
    """Run a block as one write transaction, taking the write lock first; nested blocks join the outer one.

    ``BEGIN IMMEDIATE`` serialises writers across workers, so read-then-write steps (a failure count,
    the audit chain's last hash) see no other worker's write in between.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run a script's statements inside the open transaction (``executescript`` would commit it first)."""
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        # A trigger body's inner ";" does not complete its CREATE TRIGGER statement.
        if sqlite3.complete_statement(current):
            conn.execute(current)
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement: {current.strip()[:60]}")


def _accounts(conn: sqlite3.Connection) -> None:
    """Accounts, their server-side sessions, and the sign-in throttle (accounts and sessions part)."""
    run_script(conn, """
        CREATE TABLE IF NOT EXISTS users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
            password_hash TEXT NOT NULL,
            created TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created REAL NOT NULL,
            last_seen REAL NOT NULL,
            csrf TEXT NOT NULL,
            address TEXT,
            agent TEXT
        );
        CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
        CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
        CREATE TABLE IF NOT EXISTS login_locks (key TEXT PRIMARY KEY, until REAL NOT NULL);
    """)


def _audit_log(conn: sqlite3.Connection) -> None:
    """The append-only audit log: triggers refuse to change or remove a row (accounts and sessions part)."""
    run_script(conn, """
        CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            doc_id TEXT,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX IF NOT EXISTS audit_log_doc ON audit_log(doc_id, id);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    """)


def _reviews(conn: sqlite3.Connection) -> None:
    """The "đã kiểm tra" marks: the version of a notice's metadata an archivist checked (review queue part)."""
    run_script(conn, """
        CREATE TABLE IF NOT EXISTS reviews (
            doc_id TEXT PRIMARY KEY,
            version TEXT NOT NULL,
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL
        );
    """)


# Append only: a file's user_version counts the steps it has been through. Later parts of the
# workspace add their own step (a function creating their tables) at the end.
MIGRATIONS = (_accounts, _audit_log, _reviews)


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migration steps the database has not been through yet (safe to run again, and by two workers)."""
    with transaction(conn):
        done = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, step in enumerate(MIGRATIONS[done:], start=done + 1):
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")


def database_path(app: Flask) -> str:
    """Return where the app keeps the workspace database."""
    return app.config["WORKSPACE_DB"]


def open_db(app: Flask) -> sqlite3.Connection:
    """Open the app's database, bringing its schema up to date once per app (and per file)."""
    path = database_path(app)
    conn = connect(path)
    migrated = app.extensions.setdefault("workspace.migrated", set())
    if path not in migrated:
        migrate(conn)
        migrated.add(path)
    return conn


def get_db() -> sqlite3.Connection:
    """Return this request's (or CLI command's) connection, opened on first use."""
    if "workspace_db" not in g:
        g.workspace_db = open_db(current_app)
    return g.workspace_db


def close_db(exc=None) -> None:
    """Close the connection of the request or app context that ends."""
    conn = g.pop("workspace_db", None)
    if conn is not None:
        conn.close()


def init_app(app: Flask) -> None:
    """Close the connection when the app context ends."""
    app.teardown_appcontext(close_db)
