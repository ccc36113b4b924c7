"""Find the parts of a notice: header, type heading, title, body paragraphs, recipients and signature.

Three layouts occur: a formal notice with a two-column header (issuer | motto, number | place and
date), a notice that starts at its type heading, and a news item (title, ``Ngày: dd.mm.yyyy``,
body, byline, view counter). Layout is read from lines; fields are read from the parts.
"""

import dataclasses
import itertools
import re

from indexer.dates import find_dateline
from indexer.dates import issue_date_start

DOC_TYPES = (
    "THÔNG BÁO", "KẾT LUẬN", "NGHỊ QUYẾT", "CHỈ THỊ", "QUYẾT ĐỊNH", "BÁO CÁO", "KẾ HOẠCH",
    "CÔNG VĂN", "TỜ TRÌNH", "HƯỚNG DẪN", "QUY ĐỊNH", "CHƯƠNG TRÌNH", "QUY CHẾ", "ĐỀ ÁN",
)
_HEADING = re.compile(r"^(" + "|".join(DOC_TYPES) + r")$")
# "T H Ô N G   B Á O": a heading typed (or read by OCR) with a space between its letters.
_SPACED_HEADINGS = {doc_type.replace(" ", ""): doc_type for doc_type in DOC_TYPES}
_COLUMN_GAP = re.compile(r" {3,}")
_SEPARATOR = re.compile(r"^[\s\-_=*~.·•]+$")
_BODY_START = re.compile(r"^(ngày|sáng|chiều|tối|trưa|hôm nay|vào|trong|căn cứ|thực hiện)\s", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^nơi nhận\s*:?", re.IGNORECASE)
_ITEM = re.compile(r"^[-+•*–]\s*")
# The right-hand column's motto, when OCR or a narrow layout left no wide gap before it.
_MOTTO = re.compile(r"\s(ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM)\b")
_MAX_HEADER_LINES = 20
_MAX_TITLE_LINES = 8
_MAX_TITLE_CHARS = 300


@dataclasses.dataclass
class Layout:
    """The parts of one notice, as lists of stripped lines (columns split apart)."""

    header: list[list[str]] = dataclasses.field(default_factory=list)
    heading: str | None = None
    title_lines: list[str] = dataclasses.field(default_factory=list)
    dateline: str | None = None
    paragraphs: list[str] = dataclasses.field(default_factory=list)
    recipients: list[str] = dataclasses.field(default_factory=list)
    signature: list[str] = dataclasses.field(default_factory=list)
    body_offset: int = 0  # where the body begins in the text: snippets start there
    # Where each part begins in the text, parallel to the lists above (provenance spans).
    header_starts: list[list[int]] = dataclasses.field(default_factory=list)
    heading_span: tuple[int, int] | None = None
    title_starts: list[int] = dataclasses.field(default_factory=list)
    dateline_start: int | None = None
    paragraph_starts: list[int] = dataclasses.field(default_factory=list)
    signature_starts: list[int] = dataclasses.field(default_factory=list)


def columns(line: str) -> list[str]:
    """Split a line of a two-column layout at runs of three or more spaces."""
    return [part for part in _COLUMN_GAP.split(line.strip()) if part]


def header_columns(line: str) -> list[str]:
    """Split a header line into its columns, also where only one space separates them.

    OCR may close the gap between "Số 503-TB/TU" and "Phan Thiết, ngày…", or between the issuer
    and the motto: the place and date, and the motto, begin a column of their own.
    """
    parts = []
    for part in columns(line):
        motto = _MOTTO.search(part)
        cut = motto.start(1) if motto else issue_date_start(part)
        if cut and part[:cut].strip():
            parts.extend([part[:cut].strip(), part[cut:].strip()])
        else:
            parts.append(part)
    return parts


def part_starts(line: str, parts: list[str], offset: int) -> list[int]:
    """Return where each of ``parts`` (substrings of ``line``, in order) begins, ``line`` beginning at ``offset``."""
    starts, position = [], 0
    for part in parts:
        found = line.find(part, position)
        if found < 0:  # a part that is not a plain substring: point at the line
            found = position
        starts.append(offset + found)
        position = found + len(part)
    return starts


def _stripped_start(line: str, offset: int) -> int:
    return offset + len(line) - len(line.lstrip())


def _find_heading(lines: list[str]) -> int | None:
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > _MAX_HEADER_LINES:
            return None
        if heading_in(line):
            return index
    return None


def heading_in(line: str) -> str | None:
    """Return the document type a heading line names (``THÔNG BÁO``), letter-spaced or not."""
    for part in columns(line):
        if _HEADING.match(part):
            return part
    words = line.split()
    if _HEADING.match(" ".join(words)):
        return " ".join(words)  # "THÔNG     BÁO": its words spread apart like two columns
    if len(words) >= 4 and all(len(letter) == 1 for letter in words):
        return _SPACED_HEADINGS.get("".join(words))
    return None


def _next_filled(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _title_after(lines: list[str], start: int) -> tuple[list[str], int]:
    """Collect title lines from ``start``; return them and the index where the body begins.

    After a blank line the title goes on only with a lower-case continuation or a separator.
    """
    title: list[str] = []
    index = _next_filled(lines, start)
    while index is not None and len(title) < _MAX_TITLE_LINES:
        line = lines[index].strip()
        if _SEPARATOR.match(line):
            return title, index + 1
        if title and (_BODY_START.match(line) or len(line) > _MAX_TITLE_CHARS):
            return title, index
        title.append(line)
        following = _next_filled(lines, index + 1)
        if following is not None and following > index + 1:
            upcoming = lines[following].strip()
            if not (upcoming[0].islower() or _SEPARATOR.match(upcoming)):
                return title, following
        index = following
    return title, len(lines) if index is None else index


def _split_tail(lines: list[str], offsets: list[int]) -> tuple[int, list[str], list[str], list[int]]:
    """Find recipients and signature at the end; return where they begin, both lists and where
    each signature part begins in the text (``offsets``: where each of ``lines`` begins)."""
    start = None
    for index in range(len(lines) - 1, -1, -1):
        if any(_RECIPIENTS.match(part) for part in columns(lines[index])):
            start = index
            break
    if start is None:
        start = len(lines)
        for index in range(len(lines) - 1, max(-1, len(lines) - 12), -1):
            line = lines[index].strip()
            if line and (len(line) > 80 or line.endswith((".", "./.", "/.", ":", ";"))):
                break
            start = index
    recipients, signature, signature_starts = [], [], []
    for line, offset in zip(lines[start:], offsets[start:]):
        parts = columns(line)
        for position, (part, part_start) in enumerate(zip(parts, part_starts(line, parts, offset))):
            if _RECIPIENTS.match(part):
                rest = _RECIPIENTS.sub("", part).strip()
                if rest:
                    recipients.append(rest)
            elif _ITEM.match(part) or (len(parts) > 1 and position == 0):
                recipients.append(_ITEM.sub("", part))
            else:
                signature.append(part)
                signature_starts.append(part_start)
    return start, recipients, signature, signature_starts


def _heading_span(line: str, heading: str, offset: int) -> tuple[int, int]:
    found = line.find(heading)
    if found >= 0:
        return offset + found, offset + found + len(heading)
    return _stripped_start(line, offset), offset + len(line.rstrip())  # letter-spaced: the whole line


def _filled_starts(lines: list[str], offsets: list[int], start: int, count: int) -> list[int]:
    """Where the first ``count`` filled lines from ``start`` begin, stripped (the title's lines)."""
    found = []
    for line, offset in zip(lines[start:], offsets[start:]):
        if len(found) == count:
            break
        if line.strip():
            found.append(_stripped_start(line, offset))
    return found


def split_layout(text: str) -> Layout:
    """Split normalized notice text into its parts."""
    lines = text.split("\n")
    offsets = list(itertools.accumulate(map((1).__add__, map(len, lines)), initial=0))  # each line's start
    layout = Layout()
    heading = _find_heading(lines)
    if heading is not None:
        filled = [index for index in range(heading) if lines[index].strip()]
        layout.header = [header_columns(lines[index]) for index in filled]
        layout.header_starts = [part_starts(lines[i], row, offsets[i]) for i, row in zip(filled, layout.header)]
        layout.heading = heading_in(lines[heading])
        layout.heading_span = _heading_span(lines[heading], layout.heading, offsets[heading])
        layout.title_lines, body_start = _title_after(lines, heading + 1)
        layout.title_starts = _filled_starts(lines, offsets, heading + 1, len(layout.title_lines))
        tail_start, layout.recipients, layout.signature, layout.signature_starts = _split_tail(
            lines[body_start:], offsets[body_start:])
        body_end = body_start + tail_start
    else:
        first = _next_filled(lines, 0)
        if first is None:
            return layout
        layout.title_lines = [lines[first].strip()][: 1 if len(lines[first]) <= _MAX_TITLE_CHARS else 0]
        layout.title_starts = [_stripped_start(lines[first], offsets[first])][:len(layout.title_lines)]
        body_start = first + len(layout.title_lines)
        second = _next_filled(lines, body_start)
        if second is not None and find_dateline(lines[second]):
            layout.dateline = lines[second].strip()
            layout.dateline_start = _stripped_start(lines[second], offsets[second])
            body_start = second + 1
        body_end = len(lines)
    layout.body_offset = offsets[body_start]
    kept = [(offsets[index], line) for index, line in enumerate(lines[body_start:body_end], body_start)
            if line.strip() and not _SEPARATOR.match(line)]
    layout.paragraphs = [line.strip() for _, line in kept]
    layout.paragraph_starts = [offset + len(line) - len(line.lstrip()) for offset, line in kept]
    return layout
