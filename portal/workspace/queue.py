"""The review queue: which notices need an archivist and why, and the "đã kiểm tra" marks taking them out.

A notice stays in the queue until an archivist marks the version of its metadata they checked
(:func:`reasons.version`); a correction or a re-extraction that changes the metadata brings it back. The
reasons come from each notice's stored metadata (:mod:`portal.workspace.reasons`) and from
comparing notices with each other (:mod:`portal.workspace.duplicates`); they are computed once per
index generation (:class:`AnalysisCache`), while the marks are read from SQLite on every request.
"""

import collections
import dataclasses
import re
import sqlite3
import threading
import time

import numpy as np
from flask import current_app

from indexer.normalize import normalize_line
from indexer.schema import UNDATED
from portal import search
from portal.workspace import audit
from portal.workspace import clock
from portal.workspace import duplicates
from portal.workspace import reasons
from portal.workspace.db import transaction

CHANGED, UNREVIEWED = "da-thay-doi", "chua-kiem-tra"
# Every reason, in the order the page lists them: what the metadata says, then whether anyone checked it.
REASONS = {**reasons.LABELS, CHANGED: "Đã thay đổi sau lần kiểm tra", UNREVIEWED: "Chưa kiểm tra"}
REVIEWED = "da-kiem-tra"  # not a reason: the notices marked checked, listed to take a mark back
PER_PAGE = 50
MAX_PAGE = 10_000
MAX_VALUE_CHARS = 200
_YEAR = re.compile(r"^\d{4}$")
# The archive is in Vietnam (no daylight saving): marks are stored in UTC and shown in its time.


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
    findings: tuple[reasons.Finding, ...]

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else UNDATED


@dataclasses.dataclass(frozen=True, eq=False)
class Analysis:
    """The reasons of every notice of one generation, in queue order, and what the filters offer.

    Beside the entries, arrays over queue positions make a page's filters and counts a few array
    operations: the year of each notice, the positions of each unit's notices, a mask per reason,
    the version of each notice.
    """

    entries: tuple[Entry, ...]
    years: tuple[str, ...]
    units: tuple[str, ...]
    generation: str
    seconds: float
    duplicate_seconds: float
    positions: dict[str, int]
    year_of: np.ndarray
    unit_positions: dict[str, np.ndarray]
    reason_masks: dict[str, np.ndarray]
    versions: np.ndarray

    @classmethod
    def of(cls, entries: list[Entry], generation: str, seconds: float, duplicate_seconds: float) -> "Analysis":
        """Index entries already in queue order."""
        years = sorted({entry.year for entry in entries}, key=lambda year: (year == UNDATED, year))
        number = {year: index for index, year in enumerate(years)}
        by_unit = collections.defaultdict(list)
        masks = {reason: np.zeros(len(entries), dtype=bool) for reason in reasons.LABELS}
        for position, entry in enumerate(entries):
            for unit in set(entry.units):
                by_unit[unit].append(position)
            for finding in entry.findings:
                masks[finding.reason][position] = True
        return cls(tuple(entries), tuple(years), tuple(sorted(by_unit)), generation, seconds, duplicate_seconds,
                   {entry.id: position for position, entry in enumerate(entries)},
                   np.array([number[entry.year] for entry in entries], dtype=np.int32),
                   {unit: np.array(found, dtype=np.int64) for unit, found in by_unit.items()}, masks,
                   np.array([entry.version for entry in entries], dtype=object))

    def scope(self, year: str, unit: str) -> np.ndarray:
        """Return the mask of the notices of a year and a unit (either may be empty: all)."""
        mask = np.ones(len(self.entries), dtype=bool)
        if year:
            mask &= self.year_of == (self.years.index(year) if year in self.years else -1)
        if unit:
            of_unit = np.zeros(len(self.entries), dtype=bool)
            of_unit[self.unit_positions.get(unit, np.zeros(0, dtype=np.int64))] = True
            mask &= of_unit
        return mask


@dataclasses.dataclass(frozen=True)
class Mark:
    """An archivist's "đã kiểm tra": the version they checked, who and when."""

    version: str
    reviewer: str
    at: str


class Marks:
    """The marks a page needs: every marked notice's version; who and when only for the rows it shows."""

    def __init__(self, versions: dict[str, str], details, newest_first):
        self.versions = versions
        self._details = details
        self._newest_first = newest_first

    @classmethod
    def of(cls, marks: dict[str, Mark]) -> "Marks":
        """Wrap marks held in memory."""
        return cls({doc_id: found.version for doc_id, found in marks.items()},
                   lambda ids: {doc_id: marks[doc_id] for doc_id in ids if doc_id in marks},
                   lambda: sorted(marks, key=lambda doc_id: marks[doc_id].at, reverse=True))

    def details(self, ids: list[str]) -> dict[str, Mark]:
        """Return the marks of these notices, by id."""
        return self._details(ids) if ids else {}

    def newest_first(self) -> list[str]:
        """Return the ids of the marked notices, the latest marks first."""
        return self._newest_first()


# What the queue keeps of one notice while the generation is read: its entry (twins not known yet),
# its duplicate keys and the fingerprint of its text (or None).
Summary = tuple


def summarize(meta: dict, text: str | None, threshold: float) -> Summary:
    """Return what the queue keeps of a notice: never its whole metadata, nor its text."""
    units = meta.get("units") or []
    entry = Entry(id=meta["id"], title=meta.get("title") or meta["id"], number=meta.get("number"),
                  date=meta.get("date"), type=meta.get("type"), units=tuple(u for u in units if isinstance(u, str)),
                  version=reasons.version(meta), findings=reasons.findings(meta, threshold))
    return entry, duplicates.keys(meta), None if text is None else duplicates.fingerprint(text)


def assemble(summaries: list[Summary], generation: str = "") -> Analysis:
    """Find the notices filed twice and put every notice in queue order: most reasons first, then newest."""
    started = time.perf_counter()
    twins = duplicates.find([(entry.id, entry.title, keys) for entry, keys, _ in summaries],
                            {entry.id: printed for entry, _, printed in summaries if printed is not None})
    duplicate_seconds = time.perf_counter() - started
    # The duplicate reason comes last of the metadata's reasons: appending it keeps their order.
    entries = [dataclasses.replace(entry, findings=(*entry.findings, reasons.Finding(reasons.DUPLICATE,
                                                                                      related=twins[entry.id])))
               if entry.id in twins else entry for entry, _, _ in summaries]
    # Stable sorts, least significant key first; undated notices after dated ones.
    entries.sort(key=lambda entry: entry.id)
    entries.sort(key=lambda entry: entry.date or "", reverse=True)
    entries.sort(key=lambda entry: len(entry.findings), reverse=True)
    return Analysis.of(entries, generation, time.perf_counter() - started, duplicate_seconds)


def analyse(metas: list[dict], threshold: float, texts: dict[str, str] | None = None) -> Analysis:
    """Find the reasons of notices given whole (``texts`` by id, to compare them too), in queue order."""
    return assemble([summarize(meta, (texts or {}).get(meta["id"]), threshold) for meta in metas])


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
    threshold = float(current_app.config.get("REVIEW_OCR_CONFIDENCE", reasons.OCR_CONFIDENCE))
    cache = current_app.extensions.setdefault("workspace.queue", AnalysisCache())

    def compute() -> Analysis:
        started = time.perf_counter()
        analysis = assemble(search.summarize_notices(lambda meta, text: summarize(meta, text, threshold)), tag)
        seconds = time.perf_counter() - started
        current_app.logger.info("review queue of %s: %d notices in %.1f s", tag, len(analysis.entries), seconds)
        return dataclasses.replace(analysis, seconds=seconds)

    return cache.get((current_app.config["INDEX_PATH"], tag, threshold), compute)


# -- the marks --------------------------------------------------------------------------------

def _plain(db: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = db.cursor()
    cursor.row_factory = None  # tuples: tens of thousands of marks are read on every page
    return cursor


def marks(db: sqlite3.Connection) -> Marks:
    """Return the "đã kiểm tra" marks as the database holds them now."""
    def details(ids: list[str]) -> dict[str, Mark]:
        found = {}
        for start in range(0, len(ids), 500):  # under SQLite's limit of bound parameters
            chunk = ids[start:start + 500]
            rows = _plain(db).execute("SELECT doc_id, version, reviewer, at FROM reviews WHERE doc_id IN "
                                      f"({', '.join('?' * len(chunk))})", chunk)
            found.update((row[0], Mark(*row[1:])) for row in rows)
        return found

    def newest_first() -> list[str]:
        return [row[0] for row in _plain(db).execute("SELECT doc_id FROM reviews ORDER BY at DESC, doc_id")]

    return Marks(dict(_plain(db).execute("SELECT doc_id, version FROM reviews")), details, newest_first)


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


def select(analysis: Analysis, marked: Marks, filters: Filters) -> tuple[list[int], dict]:
    """Return the queue positions the filters keep and the count of each reason for the year and unit."""
    size = len(analysis.entries)
    ids = list(marked.versions)
    positions = np.fromiter((analysis.positions.get(doc_id, -1) for doc_id in ids), dtype=np.int64, count=len(ids))
    seen = np.array(list(marked.versions.values()), dtype=object)
    known = positions >= 0
    positions, same = positions[known], analysis.versions[positions[known]] == seen[known]
    reviewed, changed = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    reviewed[positions[same]] = True
    changed[positions[~same]] = True
    scope = analysis.scope(filters.year, filters.unit)
    queued = scope & ~reviewed
    states = {CHANGED: queued & changed, UNREVIEWED: queued & ~changed, REVIEWED: scope & reviewed, "": queued}
    kept = {**{reason: queued & mask for reason, mask in analysis.reason_masks.items()}, **states}
    counts = {reason: int(np.count_nonzero(mask)) for reason, mask in kept.items()}
    if filters.reason == REVIEWED:  # the latest marks first, to take one back
        order = (analysis.positions.get(doc_id, -1) for doc_id in marked.newest_first())
        return [position for position in order if position >= 0 and kept[REVIEWED][position]], counts
    return np.flatnonzero(kept[filters.reason]).tolist(), counts


def _reason(code: str, notes: list[str], related: tuple = ()) -> dict:
    # Missing fields read as a list of names; other notes are sentences.
    joined = (", " if code == reasons.MISSING else "; ").join(notes)
    return {"code": code, "label": REASONS[code], "notes": notes, "summary": joined,
            "related": [dataclasses.asdict(twin) for twin in related]}


def _row(entry: Entry, found: Mark | None) -> dict:
    state = _state(entry, found)
    listed = [_reason(f.reason, list(f.notes), f.related) for f in entry.findings]
    if state:
        listed.append(_reason(state, [f"{found.reviewer} đã kiểm tra bản trước lúc {clock.local_time(found.at)}"]
                              if found else []))
    checked = {**dataclasses.asdict(found), "when": clock.local_time(found.at)} if found and state is None else None
    return {"id": entry.id, "title": entry.title, "number": entry.number, "date": entry.date, "type": entry.type,
            "units": list(entry.units), "version": entry.version, "reasons": listed, "mark": checked}


def page(analysis: Analysis, marked: Marks, filters: Filters, per_page: int = PER_PAGE) -> dict:
    """Build one page of the queue: its rows, the count of every reason, what the filters offer."""
    kept, counts = select(analysis, marked, filters)
    pages = max(1, -(-len(kept) // per_page))
    number = min(filters.page, pages)
    shown = [analysis.entries[position] for position in kept[(number - 1) * per_page:number * per_page]]
    details = marked.details([entry.id for entry in shown if entry.id in marked.versions])
    return {
        "filters": {"reason": filters.reason, "year": filters.year, "unit": filters.unit},
        "total": len(kept), "page": number, "pages": pages, "per_page": per_page,
        "queued": counts[""], "reviewed": counts[REVIEWED],
        "counts": [{"code": code, "label": label, "count": counts[code]} for code, label in REASONS.items()],
        "rows": [_row(entry, details.get(entry.id)) for entry in shown],
        "years": list(analysis.years), "units": list(analysis.units), "generation": analysis.generation,
    }
