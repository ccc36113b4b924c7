"""Dates in notices: the issue date of the header, the news dateline, the meeting date."""

import dataclasses
import datetime
import re

# "Phan Thiết, ngày 16  tháng 5 năm 2008". Read by OCR, the comma or a space may be lost and a
# tone misread ("ngảy", "thảng", "nắm"); the words are matched with any tone on their vowel.
_DAY = r"ng[aàáảãạ]y"
_MONTH = r"th[aàáảãạ]ng"
_YEAR = r"n[aăâàáảãạằắẳẵặầấẩẫậ]m"
_PLACE = r"(?:(?P<place>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+){0,3})\s*(?P<comma>,)?\s*)?"
_ISSUE = re.compile(
    _PLACE + rf"(?<![^\W\d_])(?P<day>{_DAY})\s*(?P<d>\d{{1,2}})\s*(?P<month>{_MONTH})\s*(?P<m>\d{{1,2}})\s*"
    rf"(?P<year>{_YEAR})\s*(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
# The words as written; a date matched with other tones was repaired from OCR noise.
_DATE_WORDS = {"day": "ngày", "month": "tháng", "year": "năm"}
# Where a header's date starts, even when a wrapped line holds only its beginning.
_ISSUE_START = re.compile(_PLACE + rf"(?<![^\W\d_]){_DAY}\s*\d{{1,2}}(?:\s*{_MONTH}|\s*$)", re.IGNORECASE)
# "ngày 16 tháng 5" at the end of a line whose "năm 2008" wrapped onto the next one.
_PARTIAL = re.compile(rf"(?<![^\W\d_]){_DAY}\s*\d{{1,2}}(?:\s*{_MONTH}(?:\s*\d{{1,2}}(?:\s*{_YEAR})?)?)?\s*$", re.IGNORECASE)
_WRAPPED_PARTS = 2  # how many following parts may hold the rest of a wrapped date
# "Ngày: 11.07.2018", "Cập nhật: 11/07/2018"
_DATELINE = re.compile(
    r"^(?:ngày(?: đăng)?|cập nhật|đăng ngày)\s*:?\s*(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})",
    re.IGNORECASE,
)
# "Ngày 14/5/2008, đồng chí…", "Sáng 10.7, tại…", "Chiều ngày 3-4-2015"
_MEETING = re.compile(
    r"(?:^|[\s(])(?:ngày|sáng|chiều|tối|trưa)\s+(?:ngày\s+|nay\s+)?(?:\(?)"
    r"(?P<d>\d{1,2})[./-](?P<m>\d{1,2})(?:[./-](?P<y>\d{4}))?",
    re.IGNORECASE,
)


def make_date(year: int, month: int, day: int) -> str | None:
    """Return an ISO date, or None when the parts are not a real date in this archive's range."""
    if not 1945 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _place(match: re.Match) -> tuple[str | None, int]:
    """Return the place before a header date and where it starts.

    Only its last capitalised words count ("Số 503-TB/TU Phan Thiết ngày…" gives "Phan Thiết");
    a place in capitals ("HÀ NỘI, ngày…") counts when a comma ends it.
    """
    place = match["place"]
    if not place:
        return None, match.start()
    words = place.split(" ")
    kept = 0
    while kept < len(words) and _titled(words[len(words) - 1 - kept]):
        kept += 1
    if kept:
        titled = " ".join(words[len(words) - kept:])
        return titled, match.start("place") + len(place) - len(titled)
    if match["comma"] and place.isupper():
        return place, match.start("place")
    return None, match.start("place") + len(place)


def _titled(word: str) -> bool:
    return word[:1].isupper() and word[1:] == word[1:].lower()


def issue_date_start(text: str) -> int | None:
    """Return where a header date (with its place) begins in ``text``, or None."""
    match = _ISSUE_START.search(text)
    return _place(match)[1] if match else None


@dataclasses.dataclass(frozen=True)
class IssueDate:
    """A header date as found: offsets index ``lines[index]``, joined by a space to
    ``lines[following]`` when the date wrapped onto that part."""

    date: str | None
    place: str | None
    index: int
    following: int | None
    start: int  # of "ngày"
    end: int
    place_start: int
    repaired: bool  # "ngảy", "thảng", "nắm": words read with a wrong tone


def _issue_match(lines: list[str], index: int) -> tuple[re.Match | None, int | None]:
    line = lines[index]
    match = _ISSUE.search(line)
    if match or not _PARTIAL.search(line):
        return match, None
    for following in range(index + 1, min(index + 1 + _WRAPPED_PARTS, len(lines))):
        match = _ISSUE.search(f"{line} {lines[following]}")
        if match:
            return match, following
    return None, None


def locate_issue_date(lines: list[str]) -> IssueDate | None:
    """Find ``place, ngày d tháng m năm y`` in header lines (or parts of lines), with where it is."""
    for index in range(len(lines)):
        match, following = _issue_match(lines, index)
        if match:
            date = make_date(int(match["y"]), int(match["m"]), int(match["d"]))
            place, place_start = _place(match)
            repaired = any(match[group].lower() != word for group, word in _DATE_WORDS.items())
            return IssueDate(date, place, index, following, match.start("day"), match.end(), place_start, repaired)
    return None


def find_issue_date(lines: list[str]) -> tuple[str | None, str | None]:
    """Find ``place, ngày d tháng m năm y`` in header lines (or parts of lines).

    A date whose end wrapped onto a following part (``ngày 16 tháng 5`` / ``năm 2008``) is found.

    :return: ``(iso_date, place)``, either may be None
    """
    found = locate_issue_date(lines)
    return (found.date, found.place) if found else (None, None)


def find_dateline(line: str) -> str | None:
    """Return the ISO date of a news dateline (``Ngày: 11.07.2018``), else None."""
    match = _DATELINE.match(line.strip())
    if match:
        return make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return None


@dataclasses.dataclass(frozen=True)
class MeetingDate:
    """A meeting date as found in the lead paragraph: ``[start, end)`` of ``Sáng 10.7``."""

    date: str
    start: int
    end: int
    year_written: bool  # False: the year came from the issue date


def locate_meeting_date(paragraph: str, context: str | None) -> MeetingDate | None:
    """Return the date the lead paragraph says the session took place, with where it is.

    :param context: the issue date, which supplies a year the paragraph leaves out
    """
    for match in _MEETING.finditer(paragraph[:400]):
        day, month = int(match["d"]), int(match["m"])
        if match["y"]:
            year = int(match["y"])
        elif context:
            year = int(context[:4])
            if (month, day) > (int(context[5:7]), int(context[8:10])):
                year -= 1  # "Sáng 28.12" in a notice dated 3.1 of the next year
        else:
            continue
        date = make_date(year, month, day)
        if date:
            start = match.start() + len(match.group(0)) - len(match.group(0).lstrip(" \t(\n"))
            return MeetingDate(date, start, match.end(), bool(match["y"]))
    return None


def find_meeting_date(paragraph: str, context: str | None) -> str | None:
    """Return the date the lead paragraph says the session took place.

    :param context: the issue date, which supplies a year the paragraph leaves out
    """
    found = locate_meeting_date(paragraph, context)
    return found.date if found else None
