"""Archivists' corrections: a ``NAME.meta.json`` beside ``NAME.txt`` overrides extracted fields."""

import json
import os

from indexer.dates import make_date
from indexer.extract import Metadata
from indexer.normalize import normalize_line
from indexer.provenance import replace_field
from indexer.refs import canonical_ref
from indexer.vocab import Vocabulary

SIDECAR_SUFFIX = ".meta.json"
_TEXT_FIELDS = ("type", "title", "signer_title", "chair_title", "place", "issuer")
_PERSON_FIELDS = ("signer", "chair", "author")
_DATE_FIELDS = ("date", "meeting_date")
_LIST_FIELDS = ("units", "topics", "references")
OVERRIDABLE = frozenset(_TEXT_FIELDS + _PERSON_FIELDS + _DATE_FIELDS + _LIST_FIELDS + ("number",))


def sidecar_path(path: str) -> str:
    """Return where the sidecar of a notice file lives (``a/b.txt`` -> ``a/b.meta.json``)."""
    return os.path.splitext(path)[0] + SIDECAR_SUFFIX


def read_sidecar(path: str) -> tuple[dict, list[str]]:
    """Read the sidecar of ``path`` if there is one.

    :return: ``(overrides, warnings)``; a broken sidecar gives no overrides and a warning
    """
    side = sidecar_path(path)
    if not os.path.exists(side):
        return {}, []
    name = os.path.basename(side)
    try:
        with open(side, encoding="utf-8-sig") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"{name}: tệp sửa siêu dữ liệu không hợp lệ, bỏ qua ({exc})"]
    if not isinstance(data, dict):
        return {}, [f"{name}: cần một đối tượng JSON {{\"trường\": giá trị}}, bỏ qua"]
    unknown = sorted(set(data) - OVERRIDABLE)
    warnings = [f"{name}: bỏ qua trường không biết: {', '.join(unknown)}"] if unknown else []
    return {k: v for k, v in data.items() if k in OVERRIDABLE}, warnings


def _clean_value(field: str, value, vocab: Vocabulary):
    """Normalize one override like extraction would; raise ValueError when it has the wrong shape."""
    if value is None or value == "" or value == []:
        return [] if field in _LIST_FIELDS else None
    if field in _LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("cần danh sách chuỗi")
        if field == "units":
            return [u for u in (vocab.canonical_unit(v) for v in value) if u]
        if field == "references":
            return [canonical_ref(v) or normalize_line(v) for v in value]
        return [normalize_line(v) for v in value]
    if not isinstance(value, str):
        raise ValueError("cần một chuỗi")
    if field in _DATE_FIELDS:
        parts = value.split("-")
        date = make_date(*map(int, parts)) if len(parts) == 3 and all(p.isdigit() for p in parts) else None
        if not date:
            raise ValueError("cần ngày dạng YYYY-MM-DD")
        return date
    if field in _PERSON_FIELDS:
        return vocab.canonical_person(value)
    if field == "number":
        return canonical_ref(value) or normalize_line(value)
    return normalize_line(value)


def apply_overrides(meta: Metadata, overrides: dict, vocab: Vocabulary, rule: str = "sidecar") -> list[str]:
    """Apply sidecar overrides to ``meta`` in place; return warnings for values that do not fit.

    An overridden field's provenance becomes ``rule`` (no span): the value no longer comes from the text.
    """
    problems = []
    for field, value in overrides.items():
        try:
            cleaned = _clean_value(field, value, vocab)
        except ValueError as exc:
            problems.append(f"{field}: giá trị sửa {value!r} không dùng được ({exc})")
            continue
        setattr(meta, field, cleaned)
        values = cleaned if field in _LIST_FIELDS else [cleaned]
        meta.provenance = replace_field(meta.provenance, field, values, rule)
    fixed = set(overrides)
    meta.warnings = [w for w in meta.warnings if w.split(":", 1)[0] not in fixed]
    return problems
