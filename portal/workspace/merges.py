"""Merging name variants in the vocabulary, and undoing a merge; each is one audit log entry.

A merge rewrites one vocabulary file (people.toml or units.toml) and records the file's text as it
was, with its hash before and after. Undo writes that text back, but only while the file is still
the one the merge wrote: a later merge or a hand edit would otherwise be lost without a word.
"""

import json
import os

import filelock

from indexer.normalize import match_key
from indexer.normalize import normalize_line
from portal.workspace import audit
from portal.workspace.variants import KINDS
from portal.workspace.variants import Kind
from portal.workspace.vocabfile import MergeRefused
from portal.workspace.vocabfile import digest
from portal.workspace.vocabfile import load_with
from portal.workspace.vocabfile import merged_text
from portal.workspace.vocabfile import read_text
from portal.workspace.vocabfile import write_atomic

ACTION = "merge"
UNDO_ACTION = "merge.undo"
MAX_NAME = 200
MAX_VARIANTS = 500
LOCK_SECONDS = 30
HISTORY_SCAN = 10_000


def _clean(canonical: str, variants: list[str]) -> tuple[str, list[str]]:
    canonical = normalize_line(canonical or "")
    if not canonical:
        raise MergeRefused("Hãy chọn hoặc nhập tên chuẩn.")
    if len(canonical) > MAX_NAME or any(len(v) > MAX_NAME for v in variants):
        raise MergeRefused(f"Tên dài quá {MAX_NAME} ký tự.")
    if len(variants) > MAX_VARIANTS:
        raise MergeRefused(f"Mỗi lần gộp tối đa {MAX_VARIANTS} tên.")
    chosen: dict[str, str] = {}
    for name in map(normalize_line, variants):
        if name and match_key(name) != match_key(canonical):
            chosen.setdefault(match_key(name), name)
    if not chosen:
        raise MergeRefused("Hãy chọn ít nhất một tên khác tên chuẩn để gộp vào.")
    return canonical, list(chosen.values())


def _check(kind: Kind, vocab, canonical: str, variants: list[str]) -> None:
    """Refuse a vocabulary under which a variant would not become the canonical name."""
    for name in (canonical, *variants):
        found = kind.canonical(vocab, name)
        if found is None:
            raise MergeRefused(f"«{name}» là tên của cơ quan ban hành (mục [issuer]), không phải một đơn vị.")
        if found != canonical:
            raise MergeRefused(f"Sau khi gộp, «{name}» vẫn được hiểu là «{found}», không phải «{canonical}»; "
                               "từ điển chưa được ghi. Hãy kiểm tra tệp từ điển.")


def _lock(lock_path: str) -> filelock.FileLock:
    return filelock.FileLock(lock_path, timeout=LOCK_SECONDS)


def _write_logged(path: str, text: str | None, previous: str | None, log) -> int:
    """Write the file, then its log entry; a log that cannot be written puts the file back (no unlogged change)."""
    write_atomic(path, text)
    try:
        return log()
    except BaseException:
        write_atomic(path, previous)
        raise


def merge(db, actor: str, kind: Kind, folder: str, canonical: str, variants: list[str], counts: dict,
          lock_path: str) -> int:
    """Write ``variants`` as aliases of ``canonical`` in ``kind``'s vocabulary file; return the audit entry's id.

    :param counts: each value's facet counts now (:func:`variants.facet_counts`), to log how many a merge moves
    :raise MergeRefused: nothing to merge, a name the vocabulary cannot take, a vocabulary that would not load
    """
    canonical, variants = _clean(canonical, variants)
    path = os.path.join(folder, kind.file)
    with _lock(lock_path):
        before = read_text(path)
        after = merged_text(before, kind.table, canonical, variants)
        if after == before:
            raise MergeRefused(f"Từ điển đã ghi các tên này là tên khác của «{canonical}»: không có gì để gộp thêm.")
        _check(kind, load_with(folder, kind.file, after), canonical, variants)
        detail = {"kind": kind.slug, "facets": list(kind.facets), "file": kind.file, "canonical": canonical,
                  "variants": variants, "notices": sum(counts.get(v, {}).get("", 0) for v in variants),
                  "before_hash": before and digest(before),
                  "after_hash": digest(after), "before": before}
        return _write_logged(path, after, before, lambda: audit.record(db, actor, ACTION, detail=detail))


def _undone(db) -> dict[int, dict]:
    undos = audit.recent(db, HISTORY_SCAN, filters={"action": UNDO_ACTION})
    return {entry["detail"].get("merge"): entry for entry in undos}


def history(db, limit: int = 20) -> list[dict]:
    """Return the latest merges, newest first, each with ``undone``: the undo's entry, or None."""
    undone = _undone(db)
    return [{**entry, "undone": undone.get(entry["id"])}
            for entry in audit.recent(db, limit, filters={"action": ACTION})]


def _merge_entry(db, merge_id: int) -> dict:
    row = db.execute("SELECT actor, detail FROM audit_log WHERE id = ? AND action = ?", (merge_id, ACTION)).fetchone()
    if row is None:
        raise MergeRefused("Không có lần gộp này trong nhật ký.")
    return {"actor": row["actor"], "detail": json.loads(row["detail"])}


def undo(db, actor: str, may_undo_others: bool, merge_id: int, folder: str, lock_path: str) -> int:
    """Put a merged vocabulary file back as it was; return the undo's audit entry id.

    :raise MergeRefused: no such merge, already undone, someone else's (for an editor), or the file
        changed since the merge
    """
    entry = _merge_entry(db, merge_id)
    detail = entry["detail"]
    if merge_id in _undone(db):
        raise MergeRefused("Lần gộp này đã được hoàn tác rồi.")
    if entry["actor"] != actor and not may_undo_others:
        raise MergeRefused("Chỉ quản trị viên mới hoàn tác được lần gộp của người khác.")
    kind = KINDS[detail["kind"]]
    path = os.path.join(folder, kind.file)
    with _lock(lock_path):
        current = read_text(path)
        if current is None or digest(current) != detail["after_hash"]:
            raise MergeRefused(f"Tệp {kind.file} đã thay đổi sau lần gộp này (một lần gộp sau hoặc sửa tay), "
                               "nên không hoàn tác tự động được: hãy hoàn tác các lần gộp sau trước, "
                               "hoặc sửa tay tệp từ điển.")
        load_with(folder, kind.file, detail["before"])
        logged = {"merge": merge_id, "kind": kind.slug, "file": kind.file, "canonical": detail["canonical"],
                  "variants": detail["variants"], "before_hash": digest(current), "after_hash": detail["before_hash"]}
        return _write_logged(path, detail["before"], current,
                             lambda: audit.record(db, actor, UNDO_ACTION, detail=logged))
