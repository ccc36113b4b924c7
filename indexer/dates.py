"""Dates in notices: the issue date of the header, the news dateline, the meeting date."""

import datetime
import re

# "Phan Thiết, ngày 16  tháng 5 năm 2008"
_ISSUE = re.compile(
    r"(?:(?P<place>[^\W\d_][^\W\d_ ]*(?: [^\W\d_]+){0,3})\s*,\s*)?"
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
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


def find_issue_date(lines: list[str]) -> tuple[str | None, str | None]:
    """Find ``place, ngày d tháng m năm y`` in header lines.

    :return: ``(iso_date, place)``, either may be None
    """
    for line in lines:
        match = _ISSUE.search(line)
        if match:
            date = make_date(int(match["y"]), int(match["m"]), int(match["d"]))
            place = match["place"]
            if place and not place[0].isupper():
                place = None
            return date, place
    return None, None


def find_dateline(line: str) -> str | None:
    """Return the ISO date of a news dateline (``Ngày: 11.07.2018``), else None."""
    match = _DATELINE.match(line.strip())
    if match:
        return make_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return None


def find_meeting_date(paragraph: str, context: str | None) -> str | None:
    """Return the date the lead paragraph says the session took place.

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
            return date
    return None
