"""The audit log: who did what, when, to which notice; append-only and hash-chained.

Triggers refuse UPDATE and DELETE, and each row's hash covers its content and the previous row's
hash, so :func:`verify_chain` finds a row changed, removed or slipped in by someone who went around
the app (the triggers dropped in a SQLite shell). It cannot see the newest rows cut off, nor a chain
rewritten whole: keep the head it reports somewhere else to check against later.
"""

import dataclasses
import hashlib
import json
import sqlite3

from portal.workspace import clock
from portal.workspace.db import transaction

GENESIS = "0" * 64
FILTERS = ("actor", "action", "doc_id")


def _digest(entry_id: int, at: str, actor: str, action: str, doc_id: str | None, detail: str, prev_hash: str) -> str:
    fields = [entry_id, at, actor, action, doc_id, detail, prev_hash]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def record(db: sqlite3.Connection, actor: str, action: str, doc_id: str | None = None,
           detail: dict | None = None) -> int:
    """Append an entry (``detail``: JSON-serialisable facts, e.g. old and new values) and return its id."""
    text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    at = clock.iso(clock.now())
    with transaction(db):
        last = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        entry_id, prev_hash = (last["id"] + 1, last["hash"]) if last else (1, GENESIS)
        db.execute("INSERT INTO audit_log (id, at, actor, action, doc_id, detail, prev_hash, hash) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (entry_id, at, actor, action, doc_id, text, prev_hash,
                    _digest(entry_id, at, actor, action, doc_id, text, prev_hash)))
    return entry_id


def _entry(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "at": row["at"], "actor": row["actor"], "action": row["action"],
            "doc_id": row["doc_id"], "detail": json.loads(row["detail"])}


def history(db: sqlite3.Connection, doc_id: str) -> list[dict]:
    """Return a notice's entries, newest first."""
    rows = db.execute("SELECT * FROM audit_log WHERE doc_id = ? ORDER BY id DESC", (doc_id,))
    return [_entry(row) for row in rows]


def recent(db: sqlite3.Connection, limit: int = 50, offset: int = 0, filters: dict | None = None) -> list[dict]:
    """Return entries newest first, a page at a time, keeping those equal to ``filters`` (actor, action, doc_id)."""
    filters = {key: value for key, value in (filters or {}).items() if value is not None}
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"unknown audit filters: {sorted(unknown)}")
    where = " AND ".join(f"{key} = ?" for key in filters) or "1"
    rows = db.execute(f"SELECT * FROM audit_log WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                      (*filters.values(), int(limit), int(offset)))
    return [_entry(row) for row in rows]


@dataclasses.dataclass(frozen=True)
class ChainCheck:
    """What :func:`verify_chain` found: rows intact, the last good hash, the first bad row and why (in Vietnamese)."""

    ok: bool
    rows: int
    head: str
    bad_id: int | None = None
    reason: str | None = None


def verify_chain(db: sqlite3.Connection) -> ChainCheck:
    """Walk the log from its first row and check ids, links and hashes."""
    expected_id, prev_hash, count = 1, GENESIS, 0
    for row in db.execute("SELECT * FROM audit_log ORDER BY id"):
        problem = None
        if row["id"] != expected_id:
            problem = f"thiếu dòng {expected_id}"
        elif row["prev_hash"] != prev_hash:
            problem = "không nối đúng với dòng trước"
        elif row["hash"] != _digest(row["id"], row["at"], row["actor"], row["action"], row["doc_id"],
                                    row["detail"], row["prev_hash"]):
            problem = "nội dung đã bị sửa"
        if problem:
            return ChainCheck(False, count, prev_hash, min(row["id"], expected_id), problem)
        expected_id, prev_hash, count = expected_id + 1, row["hash"], count + 1
    return ChainCheck(True, count, prev_hash)
