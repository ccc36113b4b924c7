"""The review queue: which notices need an archivist and why, and the "đã kiểm tra" marks taking them out.

A notice stays in the queue until an archivist marks the version of its metadata they checked
(:func:`version`); a correction or a re-extraction that changes the metadata brings it back. The
reasons come from each notice's stored metadata (fields, provenance, origin, warnings) and from
comparing notices with each other (:mod:`portal.workspace.duplicates`); they are computed once per
index generation (:class:`AnalysisCache`), while the marks are read from SQLite on every request.
"""

import dataclasses
import datetime
import hashlib
import json
import re
import sqlite3
import threading
import time

from flask import current_app

from indexer import legacy
from indexer.extract import FIELD_LABELS
from indexer.extract import Metadata
from indexer.extract import missing_fields
from indexer.normalize import normalize_line
from indexer.provenance import DOUBTS
from indexer.rawtext import METHOD_OCR
from indexer.schema import UNDATED
from portal import search
from portal.workspace import audit
from portal.workspace import clock
from portal.workspace import duplicates
from portal.workspace.db import transaction

MISSING, DOUBTFUL, LEGACY, OCR, DUPLICATE = "thieu-truong", "dang-ngo", "phong-cu", "ocr", "co-the-trung"
CHANGED, UNREVIEWED = "da-thay-doi", "chua-kiem-tra"
# Every reason, in the order the page lists them; the last two say whether anyone checked the notice.
REASONS = {
    MISSING: "Thiếu trường", DOUBTFUL: "Giá trị đáng ngờ", LEGACY: "Chuyển từ phông TCVN3/VNI",
    OCR: "Nhận dạng OCR độ tin cậy thấp", DUPLICATE: "Có thể trùng", CHANGED: "Đã thay đổi sau lần kiểm tra",
    UNREVIEWED: "Chưa kiểm tra",
}
REVIEWED = "da-kiem-tra"  # not a reason: the notices marked checked, listed to take a mark back
PER_PAGE = 50
# Below this mean word confidence (0-100) an OCR text goes to the queue (config REVIEW_OCR_CONFIDENCE).
# Clean scans of the seed notices read above 85; the indexer warns below 70 (a page likely rotated
# or damaged). Between the two, a misread letter in a name or a number is frequent enough that an
# archivist should compare the values with the page image.
OCR_CONFIDENCE = 80.0
MAX_PAGE = 10_000
MAX_VALUE_CHARS = 200
# Parts of a stored meta that change without its values changing: where the build found the file.
VOLATILE = frozenset({"path", "originals"})
# Doubts about the whole text, not one value: the legacy-font and OCR reasons cover them.
_ORIGIN_DOUBTS = frozenset({"legacy_font", "ocr_low_confidence"})
_LEGACY_ENCODINGS = (legacy.TCVN3, legacy.VNI)
# How reading reports a conversion (indexer/reading.py, docxtext.py, pdftext.py, plaintext.py).
_CONVERTED = re.compile(r"^đã chuyển chữ ở (?:phông|bảng mã) cũ (.+) sang Unicode$")
# How OCR reports a low confidence (indexer/ocr.py): the origin's confidence decides instead.
_OCR_WARNING = "chữ nhận dạng từ ảnh quét có độ tin cậy thấp"
# How extraction reports a missing field (indexer/extract.py): recomputed from the stored fields,
# since a sidecar that fills the field leaves the extraction's warning behind.
_MISSING_WARNINGS = frozenset(f"{field}: không tìm thấy {label}" for field, label in FIELD_LABELS.items())
_METADATA_FIELDS = frozenset(field.name for field in dataclasses.fields(Metadata))
_YEAR = re.compile(r"^\d{4}$")
# The archive is in Vietnam (no daylight saving): marks are stored in UTC and shown in its time.
VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


@dataclasses.dataclass(frozen=True)
class Finding:
    """One reason a notice needs an archivist, with what to look at (notes, the notices it may duplicate)."""

    reason: str
    notes: tuple[str, ...] = ()
    related: tuple[duplicates.Twin, ...] = ()


@dataclasses.dataclass(frozen=True)
class Entry:
    """What the queue knows of one notice of the served generation."""

    id: str
    title: str
    number: str | None
    date: str | None
    type: str | None
    units: tuple[str, ...]
    version: str
    findings: tuple[Finding, ...]

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else UNDATED

    def has(self, reason: str) -> bool:
        """Return whether the notice's metadata gives this reason."""
        return any(finding.reason == reason for finding in self.findings)


@dataclasses.dataclass(frozen=True)
class Analysis:
    """The reasons of every notice of one generation, in queue order, and what the filters offer."""

    entries: tuple[Entry, ...]
    years: tuple[str, ...]
    units: tuple[str, ...]
    generation: str
    seconds: float
    duplicate_seconds: float


@dataclasses.dataclass(frozen=True)
class Mark:
    """An archivist's "đã kiểm tra": the version they checked, who and when."""

    version: str
    reviewer: str
    at: str


def version(meta: dict) -> str:
    """Return the fingerprint of a notice's stored metadata, leaving out where its file was found."""
    kept = {key: value for key, value in meta.items() if key not in VOLATILE}
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _label(field: str) -> str:
    label = FIELD_LABELS.get(field, field)
    return label[:1].upper() + label[1:]


def missing(meta: dict) -> list[str]:
    """Return the fields a notice of its type should have (news articles fewer) and its metadata lacks."""
    known = {key: value for key, value in meta.items() if key in _METADATA_FIELDS}
    return missing_fields(Metadata(**{**known, "id": meta["id"]}))


def _warnings(meta: dict) -> list[str]:
    return [w for w in meta.get("warnings") or [] if isinstance(w, str)]


def doubts(meta: dict) -> list[str]:
    """Return what makes a value doubtful: provenance records marked so, and the warnings of reading."""
    notes = []
    for made in meta.get("provenance") or []:
        if isinstance(made, dict) and made.get("doubtful") and made.get("reason") not in _ORIGIN_DOUBTS:
            reason = made.get("reason")
            notes.append(f"{_label(made.get('field', ''))} «{made.get('value')}»: {DOUBTS.get(reason, reason)}")
    for warning in _warnings(meta):
        if warning in _MISSING_WARNINGS or _CONVERTED.match(warning) or warning.startswith(_OCR_WARNING):
            continue
        notes.append(warning[:1].upper() + warning[1:])
    return notes


def legacy_encodings(meta: dict) -> list[str]:
    """Return the legacy encodings (TCVN3, VNI) the notice's text was converted from."""
    named = set((meta.get("origin") or {}).get("encodings") or [])
    for warning in _warnings(meta):
        converted = _CONVERTED.match(warning)
        if converted:
            named.update(name.strip() for name in converted.group(1).split(","))
    return [name for name in _LEGACY_ENCODINGS if name in named]


def low_ocr_confidence(meta: dict, threshold: float) -> str | None:
    """Return a note when the text was read by OCR with a mean word confidence under ``threshold``."""
    origin = meta.get("origin") or {}
    if origin.get("method") != METHOD_OCR:
        return None
    confidence = origin.get("confidence")
    if confidence is None:
        return "không có chữ nào được nhận dạng chắc chắn"
    if confidence < threshold:
        return f"độ tin cậy {confidence:.0f}/100 (ngưỡng {threshold:.0f})"
    return None


def findings(meta: dict, threshold: float, twins: tuple = ()) -> tuple[Finding, ...]:
    """Return every reason a notice's metadata gives (the review state aside), in :data:`REASONS` order."""
    found = []
    absent = missing(meta)
    if absent:
        found.append(Finding(MISSING, tuple(FIELD_LABELS.get(field, field) for field in absent)))
    doubtful = doubts(meta)
    if doubtful:
        found.append(Finding(DOUBTFUL, tuple(doubtful)))
    encodings = legacy_encodings(meta)
    if encodings:
        found.append(Finding(LEGACY, (f"đã chuyển từ {', '.join(encodings)} sang Unicode",)))
    ocr = low_ocr_confidence(meta, threshold)
    if ocr:
        found.append(Finding(OCR, (ocr,)))
    if twins:
        found.append(Finding(DUPLICATE, related=tuple(twins)))
    return tuple(found)


def _entry(meta: dict, threshold: float, twins: tuple) -> Entry:
    units = meta.get("units") or []
    return Entry(id=meta["id"], title=meta.get("title") or meta["id"], number=meta.get("number"),
                 date=meta.get("date"), type=meta.get("type"), units=tuple(u for u in units if isinstance(u, str)),
                 version=version(meta), findings=findings(meta, threshold, twins))


def analyse(metas: list[dict], threshold: float, generation: str = "", texts=None) -> Analysis:
    """Find every notice's reasons and put the notices in queue order: most reasons first, then newest.

    :param texts: the notices' stored texts by id (optional), to find near-identical texts too
    """
    started = time.perf_counter()
    twins = duplicates.find(metas, texts)
    duplicate_seconds = time.perf_counter() - started
    entries = [_entry(meta, threshold, twins.get(meta["id"], ())) for meta in metas]
    # Stable sorts, least significant key first; undated notices after dated ones.
    entries.sort(key=lambda entry: entry.id)
    entries.sort(key=lambda entry: entry.date or "", reverse=True)
    entries.sort(key=lambda entry: len(entry.findings), reverse=True)
    years = sorted({entry.year for entry in entries}, key=lambda year: (year == UNDATED, year), reverse=False)
    units = sorted({unit for entry in entries for unit in entry.units})
    return Analysis(tuple(entries), tuple(years), tuple(units), generation, time.perf_counter() - started,
                    duplicate_seconds)


class AnalysisCache:
    """The served generation's analysis, computed once (by one request; others wait) until it changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._value: Analysis | None = None

    def get(self, key, compute) -> Analysis:
        """Return the analysis kept under ``key``, computing (and keeping only) it when the key changed."""
        with self._lock:
            if self._key != key or self._value is None:
                self._value, self._key = compute(), key
            return self._value


def served_analysis() -> Analysis:
    """Return the analysis of the generation the portal serves now (computed on its first request).

    :raise portal.search.IndexUnavailable: no index has been built yet
    """
    tag = search.generation_tag()
    if tag is None:
        raise search.IndexUnavailable(current_app.config["INDEX_PATH"])
    threshold = float(current_app.config.get("REVIEW_OCR_CONFIDENCE", OCR_CONFIDENCE))
    cache = current_app.extensions.setdefault("workspace.queue", AnalysisCache())

    def compute() -> Analysis:
        metas, texts = search.all_metadata(), None
        return analyse(metas, threshold, tag, texts)

    return cache.get((current_app.config["INDEX_PATH"], tag, threshold), compute)


# -- the marks --------------------------------------------------------------------------------

def marks(db: sqlite3.Connection) -> dict[str, Mark]:
    """Return every "đã kiểm tra" mark by notice id."""
    rows = db.execute("SELECT doc_id, version, reviewer, at FROM reviews")
    return {row[0]: Mark(row[1], row[2], row[3]) for row in rows}


def mark(db: sqlite3.Connection, actor: str, checked: list[tuple[str, str]]) -> list[str]:
    """Mark notices checked at the versions given, each logged (action ``review``); return the ids newly marked."""
    at, done = clock.iso(clock.now()), []
    with transaction(db):
        for doc_id, checked_version in checked:
            old = db.execute("SELECT version FROM reviews WHERE doc_id = ?", (doc_id,)).fetchone()
            if old is not None and old[0] == checked_version:
                continue
            db.execute("INSERT INTO reviews (doc_id, version, reviewer, at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (doc_id) DO UPDATE SET version = excluded.version, "
                       "reviewer = excluded.reviewer, at = excluded.at", (doc_id, checked_version, actor, at))
            detail = {"version": checked_version, **({"previous": old[0]} if old else {})}
            audit.record(db, actor, "review", doc_id, detail)
            done.append(doc_id)
    return done


def unmark(db: sqlite3.Connection, actor: str, doc_ids: list[str]) -> list[str]:
    """Take marks back (the notices return to the queue), each logged (``review.remove``); return those removed."""
    done = []
    with transaction(db):
        for doc_id in doc_ids:
            old = db.execute("SELECT version FROM reviews WHERE doc_id = ?", (doc_id,)).fetchone()
            if old is None:
                continue
            db.execute("DELETE FROM reviews WHERE doc_id = ?", (doc_id,))
            audit.record(db, actor, "review.remove", doc_id, {"version": old[0]})
            done.append(doc_id)
    return done


def current_versions(analysis: Analysis, requested: list[tuple[str, str | None]]) -> tuple[list, list, list]:
    """Sort requested ``(id, version seen)`` pairs into those to mark, those changed since, and unknown ids.

    A version left out means the notice as it is now (scripts); a page always sends what it showed.
    """
    versions = {entry.id: entry.version for entry in analysis.entries}
    current, stale, unknown = [], [], []
    for doc_id, seen in requested:
        if doc_id not in versions:
            unknown.append(doc_id)
        elif seen is not None and seen != versions[doc_id]:
            stale.append(doc_id)
        else:
            current.append((doc_id, versions[doc_id]))
    return current, stale, unknown


# -- one page of the queue --------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Filters:
    """What the page shows: a reason (or :data:`REVIEWED`), a year, a unit, a page number."""

    reason: str = ""
    year: str = ""
    unit: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        """Read the filters from a URL's arguments; values that mean nothing are dropped."""
        reason = args.get("reason", "")
        year = args.get("year", "")
        unit = normalize_line(args.get("unit", ""))[:MAX_VALUE_CHARS]
        page = args.get("page", "")
        return cls(reason=reason if reason in REASONS or reason == REVIEWED else "",
                   year=year if _YEAR.match(year) or year == UNDATED else "", unit=unit,
                   page=min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1)

    def args(self, **changes) -> dict:
        """Return the URL arguments of these filters (with ``changes``), empty values and page 1 left out."""
        values = {**dataclasses.asdict(self), **changes}
        return {key: values[key] for key in ("reason", "year", "unit", "page")
                if values[key] and not (key == "page" and values[key] == 1)}


def _state(entry: Entry, found: Mark | None) -> str | None:
    """Return the notice's review reason: never checked, changed since, or None when checked as it is."""
    if found is None:
        return UNREVIEWED
    return None if found.version == entry.version else CHANGED


def select(analysis: Analysis, all_marks: dict[str, Mark], filters: Filters) -> tuple[list, dict]:
    """Return the notices the filters keep (with their marks) and the count of each reason for the year and unit."""
    counts = dict.fromkeys([*REASONS, REVIEWED], 0)
    counts[""] = 0  # everything in the queue
    kept = []
    for entry in analysis.entries:
        if (filters.year and entry.year != filters.year) or (filters.unit and filters.unit not in entry.units):
            continue
        found = all_marks.get(entry.id)
        state = _state(entry, found)
        if state is None:
            counts[REVIEWED] += 1
            if filters.reason == REVIEWED:
                kept.append((entry, found))
            continue
        counts[""] += 1
        counts[state] += 1
        for finding in entry.findings:
            counts[finding.reason] += 1
        if not filters.reason or filters.reason == state or entry.has(filters.reason):
            kept.append((entry, found))
    if filters.reason == REVIEWED:
        kept.sort(key=lambda pair: pair[1].at, reverse=True)  # the latest marks first, to take one back
    return kept, counts


def local_time(at: str) -> str:
    """Show a mark's time (ISO, UTC) in Vietnam's time: ``16/06/2025 19:00``."""
    try:
        return datetime.datetime.fromisoformat(at).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return str(at)


def _row(entry: Entry, found: Mark | None) -> dict:
    state = _state(entry, found)
    reasons = [{"code": f.reason, "label": REASONS[f.reason], "notes": list(f.notes),
                "related": [dataclasses.asdict(twin) for twin in f.related]} for f in entry.findings]
    if state:
        notes = [f"{found.reviewer} đã kiểm tra bản trước lúc {local_time(found.at)}"] if found else []
        reasons.append({"code": state, "label": REASONS[state], "notes": notes, "related": []})
    checked = {**dataclasses.asdict(found), "when": local_time(found.at)} if found and state is None else None
    return {"id": entry.id, "title": entry.title, "number": entry.number, "date": entry.date, "type": entry.type,
            "units": list(entry.units), "version": entry.version, "reasons": reasons, "mark": checked}


def page(analysis: Analysis, all_marks: dict[str, Mark], filters: Filters, per_page: int = PER_PAGE) -> dict:
    """Build one page of the queue: its rows, the count of every reason, what the filters offer."""
    kept, counts = select(analysis, all_marks, filters)
    pages = max(1, -(-len(kept) // per_page))
    number = min(filters.page, pages)
    shown = kept[(number - 1) * per_page:number * per_page]
    return {
        "filters": {"reason": filters.reason, "year": filters.year, "unit": filters.unit},
        "total": len(kept), "page": number, "pages": pages, "per_page": per_page,
        "queued": counts[""], "reviewed": counts[REVIEWED],
        "counts": [{"code": code, "label": label, "count": counts[code]} for code, label in REASONS.items()],
        "rows": [_row(entry, found) for entry, found in shown],
        "years": list(analysis.years), "units": list(analysis.units), "generation": analysis.generation,
    }
