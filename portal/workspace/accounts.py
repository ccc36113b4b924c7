"""Archivists' accounts: names, roles and Argon2id password hashes; every change written to the audit log."""

import functools
import re
import sqlite3
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from portal.workspace import audit
from portal.workspace import clock
from portal.workspace import throttle
from portal.workspace.db import transaction

ROLES = ("editor", "admin")
ROLE_LABELS = {"editor": "Biên tập viên", "admin": "Quản trị viên"}
# ASCII only: a name typed on a phone (NFD, another tone-mark style) must not become a second account.
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# OWASP ASVS 2.1.1/2.1.2: at least 12 characters, long passphrases allowed, no composition rules.
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


class AccountError(ValueError):
    """An account change refused, with the reason in Vietnamese."""


def make_hasher(params: dict | None = None) -> PasswordHasher:
    """Return an Argon2id hasher: argon2-cffi's defaults (RFC 9106), or ``params`` (tests make it cheap)."""
    return PasswordHasher(**(params or {}))


@functools.lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism, hash_len, salt_len).hash("not a password")


def burn_time(hasher: PasswordHasher, password: str) -> None:
    """Verify against a dummy hash: an unknown name or a locked sign-in costs as long as a wrong password."""
    dummy = _dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
                        hasher.salt_len)
    try:
        hasher.verify(dummy, password)
    except VerificationError:
        pass


def normalize_name(name: str) -> str:
    """Return a sign-in name as stored: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", name or "").strip().lower()


def validate_name(name: str) -> str:
    """Return the normalized name, or raise :class:`AccountError` when it cannot be an account name."""
    folded = normalize_name(name)
    if not NAME.match(folded):
        raise AccountError("Tên đăng nhập gồm 2 đến 64 ký tự: chữ cái không dấu, chữ số, dấu chấm, "
                           "gạch ngang hoặc gạch dưới, bắt đầu bằng chữ cái hoặc chữ số.")
    return folded


def validate_password(password: str) -> None:
    """Raise :class:`AccountError` when a new password is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")


def validate_role(role: str) -> str:
    """Return the role, or raise :class:`AccountError` when it is not one of :data:`ROLES`."""
    if role not in ROLES:
        raise AccountError(f"Vai trò không hợp lệ: {role!r} (chọn một trong: {', '.join(ROLES)}).")
    return role


def create(db: sqlite3.Connection, name: str, role: str, password: str, hasher: PasswordHasher,
           actor: str) -> dict:
    """Create an account and log it; raise :class:`AccountError` for a bad or taken name, role or password."""
    name, role = validate_name(name), validate_role(role)
    validate_password(password)
    password_hash = hasher.hash(password)
    with transaction(db):
        try:
            cursor = db.execute("INSERT INTO users (name, role, password_hash, created) VALUES (?, ?, ?, ?)",
                                (name, role, password_hash, clock.iso(clock.now())))
        except sqlite3.IntegrityError:
            raise AccountError(f"Tài khoản {name!r} đã có.") from None
        audit.record(db, actor, "user.add", detail={"name": name, "role": role})
    return {"id": cursor.lastrowid, "name": name, "role": role}


def remove(db: sqlite3.Connection, name: str, actor: str) -> None:
    """Remove an account (its sessions end with it) and log it; raise :class:`AccountError` if unknown."""
    name = normalize_name(name)
    with transaction(db):
        row = db.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"Không có tài khoản {name!r}.")
        db.execute("DELETE FROM users WHERE name = ?", (name,))
        audit.record(db, actor, "user.remove", detail={"name": name, "role": row["role"]})


def reset_password(db: sqlite3.Connection, name: str, password: str, hasher: PasswordHasher, actor: str) -> None:
    """Set a new password, end the account's sessions and lift its sign-in lock; log it."""
    name = normalize_name(name)
    validate_password(password)
    password_hash = hasher.hash(password)
    with transaction(db):
        row = db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"Không có tài khoản {name!r}.")
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, row["id"]))
        db.execute("DELETE FROM sessions WHERE user_id = ?", (row["id"],))
        throttle.clear(db, throttle.account_key(name))
        audit.record(db, actor, "user.reset-password", detail={"name": name})


def exists(db: sqlite3.Connection, name: str) -> bool:
    """Return whether an account of this name exists."""
    return db.execute("SELECT 1 FROM users WHERE name = ?", (normalize_name(name),)).fetchone() is not None


def list_users(db: sqlite3.Connection) -> list[dict]:
    """Return every account (no password hashes), by name."""
    rows = db.execute("SELECT id, name, role, created, disabled FROM users ORDER BY name").fetchall()
    return [dict(row, role_label=ROLE_LABELS[row["role"]]) for row in rows]


def verify(db: sqlite3.Connection, name: str, password: str, hasher: PasswordHasher) -> dict | None:
    """Return the account whose name and password these are, or None, taking as long either way.

    A hash made with older parameters is replaced by one made with the hasher's current ones.
    """
    row = db.execute("SELECT id, name, role, password_hash FROM users WHERE name = ? AND disabled = 0",
                     (normalize_name(name),)).fetchone()
    if row is None:
        burn_time(hasher, password)
        return None
    try:
        hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(row["password_hash"]):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hasher.hash(password), row["id"]))
    return {"id": row["id"], "name": row["name"], "role": row["role"]}

