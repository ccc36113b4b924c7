"""Archivists' corrections: the notice's sidecar written atomically, optimistically locked, logged, undoable.

A correction is the sidecar ``NAME.meta.json`` beside the notice (the indexer applies it at the
next update). The form is based on one version of the sidecar, named by the sha256 of its bytes
(of no bytes when there is none); a save finding another version refuses with what changed
meanwhile, so two archivists never overwrite each other unseen. Only values that differ from the
extraction are kept; a sidecar left empty is removed. Every save and undo is one audit-log row
holding the sidecar's text before and after, which is what an undo writes back.
"""

import contextlib
import dataclasses
import datetime
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import unicodedata

from indexer.extract import FIELD_LABELS
from indexer.normalize import normalize_line
from indexer.sidecar import OVERRIDABLE
from indexer.store import fsync_dir
from portal.workspace import audit
from portal.workspace.db import transaction

EMPTY_VERSION = hashlib.sha256(b"").hexdigest()
# Form order: what a notice is, then who, then what about.
FIELDS = ("type", "number", "date", "meeting_date", "title", "issuer", "place", "signer", "signer_title",
          "chair", "chair_title", "author", "units", "topics", "references")
DATE_FIELDS = frozenset({"date", "meeting_date"})
LIST_FIELDS = frozenset({"units", "topics", "references"})
MAX_LENGTH = {"title": 1000}
DEFAULT_MAX_LENGTH = 300
MAX_ITEMS = 50
EDIT_ACTIONS = ("edit", "undo")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Bidirectional overrides and isolates can make a stored name read as another.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

assert set(FIELDS) == OVERRIDABLE, "every overridable field has its place in the form"


@dataclasses.dataclass(frozen=True)
class Unknown:
    """An extracted value the index no longer tells (an override replaced it, nothing logged it).

    ``shown`` is what the index holds instead: the form shows it, and a save compares with it,
    so a field nobody touched is never written; but it is never taken for the extraction.
    """

    shown: object = None


def known(value):
    """Return a value as the index shows it (an :class:`Unknown` extraction: the index's value)."""
    return value.shown if isinstance(value, Unknown) else value


def field_label(field: str) -> str:
    """Name a field for the archivist (``signer_title`` -> ``Chức vụ người ký``)."""
    label = FIELD_LABELS.get(field, field)
    return label[:1].upper() + label[1:]


# -- the sidecar file ----------------------------------------------------------------------------

def version_of(text: str | None) -> str:
    """Return the version token of a sidecar's text (None: no sidecar)."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True)
class Sidecar:
    """A notice's sidecar as read from disk: its text (None when there is none) and the parsed object."""

    path: str
    text: str | None

    @property
    def version(self) -> str:
        return version_of(self.text)

    @property
    def data(self) -> dict:
        """The overrides object; raise ValueError when the file is not one."""
        return parse(self.text)


def parse(text: str | None) -> dict:
    """Parse a sidecar's text into its object (``{}`` for none); raise ValueError for anything else."""
    if text is None:
        return {}
    data = json.loads(text.lstrip("\ufeff"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")  # noqa: TRY004 (callers catch one error: JSON's own is a ValueError)
    return data


def read(path: str) -> Sidecar:
    """Read the sidecar at ``path`` (bytes not in UTF-8 are kept as replacement characters)."""
    try:
        with open(path, "rb") as f:
            return Sidecar(path, f.read().decode("utf-8", errors="replace"))
    except FileNotFoundError:
        return Sidecar(path, None)


def serialize(data: dict) -> str | None:
    """Return the text a sidecar object is written as; None when it holds nothing (no file)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n" if data else None


def write(path: str, text: str | None, like: str | None = None) -> None:
    """Replace the sidecar atomically (temp file in the same folder, fsync, rename); None removes it.

    The file keeps its permissions; a new one takes those of ``like`` (the notice file).
    """
    folder = os.path.dirname(os.path.abspath(path))
    if text is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            fsync_dir(folder)
        return
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = os.stat(like).st_mode & 0o666 if like else 0o644
    # A hidden name: a build scanning the folder meanwhile reports it, never indexes it.
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_dir(folder)


@contextlib.contextmanager
def locked(lock_folder: str, path: str):
    """Hold the lock of one sidecar, across threads and worker processes, for a read-check-write."""
    os.makedirs(lock_folder, exist_ok=True)
    name = hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:32] + ".lock"
    with open(os.path.join(lock_folder, name), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- values: the form, the extraction, comparing --------------------------------------------------

def _problem(field: str, value: str) -> str | None:
    limit = MAX_LENGTH.get(field, DEFAULT_MAX_LENGTH)
    if len(value) > limit:
        return f"{field_label(field)}: dài quá {limit} ký tự."
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI for c in value):
        return f"{field_label(field)}: có ký tự điều khiển không được phép."
    return None


def _date_problem(field: str, value: str) -> str | None:
    try:
        date = datetime.date.fromisoformat(value) if _DATE.fullmatch(value) else None
    except ValueError:
        date = None
    if date is None:
        return f"{field_label(field)}: cần một ngày có thật, dạng năm-tháng-ngày (ví dụ 2008-05-16)."
    if not 1900 <= date.year <= 2100:
        return f"{field_label(field)}: năm {date.year} nằm ngoài khoảng 1900–2100."
    return None


def parse_form(form) -> tuple[dict, dict]:
    """Read the submitted fields: ``(values, problems)``, both keyed by field; absent fields are left out.

    Text is kept as typed, trimmed; a list is one value per line (plus ``<field>-them``, a name picked
    from the vocabulary); a date is ``yyyy-mm-dd`` or empty.
    """
    values, problems = {}, {}
    for field in FIELDS:
        raw = form.get(field)
        if raw is None:
            continue
        if field in LIST_FIELDS:
            items = [line.strip() for line in raw.splitlines() if line.strip()]
            added = (form.get(f"{field}-them") or "").strip()
            if added and added not in items:
                items.append(added)
            found = [p for p in (_problem(field, item) for item in items) if p][:1]
            if len(items) > MAX_ITEMS:
                found.append(f"{field_label(field)}: nhiều quá {MAX_ITEMS} dòng.")
            value = items
        else:
            value = raw.strip()
            found = [p for p in (_problem(field, value),) if p]
            if not found and value and field in DATE_FIELDS:
                found = [p for p in (_date_problem(field, value),) if p]
        values[field] = value
        if found:
            problems[field] = found[0]
    return values, problems


def _comparable(field: str, value):
    if field in LIST_FIELDS:
        return [normalize_line(v) for v in value or [] if isinstance(v, str) and v.strip()]
    return normalize_line(value) if isinstance(value, str) else ""


def same(field: str, one, other) -> bool:
    """Whether two values of a field mean the same (tone-mark style, spacing and empties aside).

    An :class:`Unknown` extraction is the same as nothing: a value set back to it is kept.
    """
    if isinstance(one, Unknown) or isinstance(other, Unknown):
        return False
    return _comparable(field, one) == _comparable(field, other)


def extracted_values(meta: dict, overrides: dict, entries: list[dict]) -> dict:
    """Return each field's value as extraction read it, or :class:`Unknown`.

    The index holds the extracted value unless an override replaced it there (its provenance says
    ``sidecar``; an index without provenance cannot tell, so an overridden field is taken as
    replaced). Then the value logged when the field was first corrected here is used.
    """
    provenance = meta.get("provenance") or []
    replaced = {r.get("field") for r in provenance if isinstance(r, dict) and r.get("rule") == "sidecar"}
    out = {}
    for field in FIELDS:
        if field in replaced or (field in overrides and not provenance):
            out[field] = next((e["detail"]["extracted"][field] for e in entries
                               if field in (e["detail"].get("extracted") or {})), Unknown(meta.get(field)))
        else:
            out[field] = meta.get(field)
    return out


def effective(overrides: dict, extracted: dict) -> dict:
    """Return each field's value once the overrides apply (what the index will show)."""
    return {field: overrides[field] if field in overrides else known(extracted[field]) for field in FIELDS}


def _changes(before: dict, after: dict) -> dict:
    return {field: {"old": before[field], "new": after[field]}
            for field in FIELDS if not same(field, before[field], after[field])}


def overrides_of(sidecar: Sidecar) -> dict:
    """Return the sidecar's overrides of known fields; a broken sidecar overrides nothing (as the indexer reads it)."""
    try:
        data = sidecar.data
    except ValueError:
        return {}
    return {field: value for field, value in data.items() if field in OVERRIDABLE}


# -- saving and undoing ---------------------------------------------------------------------------

class Conflict(Exception):
    """The sidecar is not the version the form (or the change to undo) was based on."""

    def __init__(self, current: Sidecar):
        super().__init__(current.path)
        self.current = current


class BrokenSidecar(Exception):
    """The sidecar on disk is not a JSON object: merging into it would lose what it holds."""


@dataclasses.dataclass(frozen=True)
class Saved:
    """What a save or an undo did: its audit row (None when nothing changed), the fields, the new version."""

    entry_id: int | None
    fields: dict
    version: str


@dataclasses.dataclass(frozen=True)
class Target:
    """The notice a change is for: its id, its file, its sidecar, and where sidecar locks live."""

    doc_id: str
    notice_file: str
    sidecar: str
    lock_folder: str


def _commit(db: sqlite3.Connection, actor: str, action: str, target: Target, detail: dict,
            text: str | None, previous: str | None) -> int:
    """Write the sidecar and its audit row as one step: a failed write logs nothing, a failed log undoes the write."""
    try:
        with transaction(db):
            entry_id = audit.record(db, actor, action, target.doc_id, detail)
            write(target.sidecar, text, like=target.notice_file)
    except BaseException:
        if read(target.sidecar).text != previous:
            write(target.sidecar, previous, like=target.notice_file)
        raise
    return entry_id


def save(db: sqlite3.Connection, actor: str, target: Target, submitted: dict, base_version: str,
         extracted: dict, generation: str | None = None) -> Saved:
    """Merge submitted values into the sidecar, keeping only those that differ from the extraction.

    :raise Conflict: the sidecar is no longer the version ``base_version`` names
    :raise BrokenSidecar: the sidecar on disk is not a JSON object
    """
    with locked(target.lock_folder, target.sidecar):
        current = read(target.sidecar)
        if current.version != base_version:
            raise Conflict(current)
        try:
            merged = dict(current.data)
        except ValueError as exc:
            raise BrokenSidecar(str(exc)) from None
        before = effective(overrides_of(current), extracted)
        for field, value in submitted.items():
            if same(field, value, before[field]):
                continue
            if same(field, value, extracted[field]):
                merged.pop(field, None)
            else:
                merged[field] = value
        changes = _changes(before, effective({k: v for k, v in merged.items() if k in OVERRIDABLE}, extracted))
        if not changes:
            return Saved(None, {}, current.version)
        text = serialize(merged)
        detail = {"fields": changes, "sidecar_before": current.text, "sidecar_after": text, "generation": generation,
                  "extracted": {f: extracted[f] for f in changes if not isinstance(extracted[f], Unknown)}}
        return Saved(_commit(db, actor, "edit", target, detail, text, current.text), changes, version_of(text))


def undoable(entry: dict) -> bool:
    """Whether an audit row is a change of a sidecar that can be undone."""
    return entry["action"] in EDIT_ACTIONS and "sidecar_before" in entry["detail"]


def may_undo(user: dict, entry: dict) -> bool:
    """Editors undo their own changes; admins anyone's."""
    return undoable(entry) and (user["role"] == "admin" or entry["actor"] == user["name"])


def undo(db: sqlite3.Connection, actor: str, target: Target, entry: dict, extracted: dict,
         confirmed: str | None = None) -> Saved:
    """Write the sidecar back as it was before ``entry``'s change, logged as a change of its own.

    :param confirmed: the version the archivist saw on the page showing what changed since ``entry``
    :raise Conflict: the sidecar changed since ``entry`` (and is not the ``confirmed`` version)
    """
    with locked(target.lock_folder, target.sidecar):
        current = read(target.sidecar)
        if current.version not in (version_of(entry["detail"]["sidecar_after"]), confirmed):
            raise Conflict(current)
        restored = entry["detail"]["sidecar_before"]
        if current.text == restored:
            return Saved(None, {}, current.version)
        changes = _changes(effective(overrides_of(current), extracted),
                           effective(overrides_of(Sidecar(target.sidecar, restored)), extracted))
        detail = {"undoes": entry["id"], "fields": changes, "sidecar_before": current.text, "sidecar_after": restored}
        return Saved(_commit(db, actor, "undo", target, detail, restored, current.text), changes,
                     version_of(restored))


def since(entries: list[dict], base_version: str, current: Sidecar, extracted: dict) -> dict:
    """Tell what changed between the sidecar version ``base_version`` and ``current``, and who changed it.

    :param entries: the notice's audit rows, newest first
    :return: ``{"fields": {field: {"old", "new"}}, "entries": [...], "outside": bool}``; ``outside``
        when the file was changed other than through the workspace
    """
    changes = [e for e in entries if undoable(e)]
    unknown = Unknown()
    newer, base = [], unknown if base_version != EMPTY_VERSION else None
    for entry in changes:
        if version_of(entry["detail"]["sidecar_after"]) == base_version:
            base = entry["detail"]["sidecar_after"]
            break
        newer.append(entry)
    outside = not changes or version_of(changes[0]["detail"]["sidecar_after"]) != current.version
    now = effective(overrides_of(current), extracted)
    if base is unknown:  # the version the form saw is nowhere in the log: show what overrides hold now
        fields = {f: {"old": None, "new": now[f]} for f in overrides_of(current)}
    else:
        fields = _changes(effective(overrides_of(Sidecar(current.path, base)), extracted), now)
    return {"fields": fields, "entries": newer, "outside": outside or base is unknown}


# -- the log, page by page -----------------------------------------------------------------------

def log_page(db: sqlite3.Connection, filters: dict, since_at: str | None, until_at: str | None,
             limit: int, offset: int) -> tuple[list[dict], int]:
    """Return one page of audit rows (newest first) and how many match: equal ``filters``, ``at`` in [since, until)."""
    where, args = [], []
    for key, value in filters.items():
        if key not in audit.FILTERS:
            raise ValueError(f"unknown audit filter {key!r}")
        if value:
            where.append(f"{key} = ?")
            args.append(value)
    for clause, value in (("at >= ?", since_at), ("at < ?", until_at)):
        if value:
            where.append(clause)
            args.append(value)
    condition = " AND ".join(where) or "1"
    total = db.execute(f"SELECT COUNT(*) FROM audit_log WHERE {condition}", args).fetchone()[0]
    rows = db.execute(f"SELECT * FROM audit_log WHERE {condition} ORDER BY id DESC LIMIT ? OFFSET ?",
                      (*args, int(limit), int(offset)))
    return [audit._entry(row) for row in rows], total  # the log's one row shape


def log_choices(db: sqlite3.Connection) -> dict:
    """Return the actors and actions the log holds, for the history page's filters."""
    return {column: [row[0] for row in db.execute(f"SELECT DISTINCT {column} FROM audit_log ORDER BY {column}")]
            for column in ("actor", "action")}


def log_entry(db: sqlite3.Connection, entry_id: int) -> dict | None:
    """Return one audit row, or None."""
    row = db.execute("SELECT * FROM audit_log WHERE id = ?", (entry_id,)).fetchone()
    return None if row is None else audit._entry(row)
