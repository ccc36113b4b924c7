"""Turn the positioned words of one page (PDF text layer or OCR) into the text the layout reader takes.

Visual lines are rebuilt from word boxes; a wide horizontal gap becomes a run of spaces (a column
gap, which ``indexer.layout.columns`` splits at), lines wrapped inside one paragraph are joined,
and a blank line marks a vertical gap clearly wider than the page's line pitch (an empty paragraph).
"""

import dataclasses
import re
import statistics

COLUMN_GAP_SPACES = 5
_MAX_GAP_SPACES = 40
# A gap wider than this many median character widths separates two columns, never two words.
_COLUMN_GAP_CHARS = 3.0
# Line-to-line distances, in line pitches: more starts a new paragraph, more still leaves a blank line.
_PARAGRAPH_PITCH = 1.35
_BLANK_PITCH = 1.75
_MAX_INDENT_CHARS = 10
_NEAR_LINES = 4  # lines either side that set a line's margins
_LIST_MARKER = re.compile(
    r"^(?:\d{1,2}(?:[.,]\d{1,2})*\s?[.)/-]|[IVXLC]{1,5}\s?[.)/-]|[a-zđ][.)]|[-–—+•*▪●○◦·]|\(\d{1,2}\)|\([a-zđ]\))"
)
_CLAUSE_END = re.compile(r"[.:;!?…]$")
_PAGE_NUMBER = re.compile(r"^[-–—(\[]?\s*(?:trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?\s*[-–—)\]]?$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Item:
    """A word (or any run without spaces) and its box; y grows downwards from the top of the page."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float | None = None  # font size, when the source knows it


@dataclasses.dataclass
class _Line:
    items: list[Item]
    gaps: list[int] = dataclasses.field(default_factory=list)  # spaces before each item after the first

    @property
    def x0(self) -> float:
        return self.items[0].x0

    @property
    def x1(self) -> float:
        return max(item.x1 for item in self.items)

    @property
    def top(self) -> float:
        return min(item.top for item in self.items)

    @property
    def bottom(self) -> float:
        return max(item.bottom for item in self.items)

    @property
    def middle(self) -> float:
        return statistics.median((item.top + item.bottom) / 2 for item in self.items)

    @property
    def columned(self) -> bool:
        return any(gap > 1 for gap in self.gaps)

    def text(self) -> str:
        parts = [self.items[0].text]
        for gap, item in zip(self.gaps, self.items[1:]):
            parts.append(" " * gap + item.text)
        return "".join(parts)


def _overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    return min(a_bottom, b_bottom) - max(a_top, b_top)


def _group_lines(items: list[Item]) -> list[list[Item]]:
    """Group items whose boxes share most of their height into visual lines, top to bottom.

    A line is compared by the median top and bottom of its words, so that one tall box (a
    bracket, a word with stacked marks, a speck read as a word) cannot pull in the next line.
    """
    lines: list[list[Item]] = []
    for item in sorted(items, key=lambda i: (i.top + i.bottom) / 2):
        height = max(item.bottom - item.top, 1e-6)
        for line in reversed(lines[-3:]):
            top = statistics.median(i.top for i in line)
            bottom = statistics.median(i.bottom for i in line)
            if _overlap(top, bottom, item.top, item.bottom) >= 0.5 * min(height, bottom - top):
                line.append(item)
                break
        else:
            lines.append([item])
    lines.sort(key=lambda line: statistics.median((i.top + i.bottom) / 2 for i in line))
    return [sorted(line, key=lambda i: i.x0) for line in lines]


def _char_width(items: list[Item]) -> float:
    widths = [(i.x1 - i.x0) / len(i.text) for i in items if len(i.text) >= 2 and i.x1 > i.x0]
    if widths:
        return statistics.median(widths)
    sizes = [i.size or (i.bottom - i.top) for i in items]
    return 0.5 * statistics.median(sizes) if sizes else 1.0


def _with_gaps(items: list[Item], char_width: float) -> _Line:
    """Space the items of one line: one space between words, a run of spaces across a column gap.

    Gaps are measured in the line's own character width when it is wider than the page's: a
    heading in a larger or letter-spaced font spreads its words further apart.
    """
    line = _Line(items)
    char_width = max(char_width, _char_width(items))
    for before, after in zip(items, items[1:]):
        gap = after.x0 - before.x1
        columned = gap > _COLUMN_GAP_CHARS * char_width and not _LIST_MARKER.fullmatch(before.text)
        spaces = min(_MAX_GAP_SPACES, max(COLUMN_GAP_SPACES, round(gap / char_width))) if columned else 1
        line.gaps.append(spaces)
    return line


def _pitch(lines: list[_Line], em: float) -> float:
    """Return the usual distance between consecutive lines (single, 1.5 or double spacing alike)."""
    distances = [b.middle - a.middle for a, b in zip(lines, lines[1:])]
    usual = [d for d in distances if 0.8 * em <= d <= 2.4 * em]
    return statistics.median(usual) if usual else 1.2 * em


def _em(lines: list[_Line]) -> float:
    sizes = [item.size for line in lines for item in line.items if item.size]
    if sizes:
        return statistics.median(sizes)
    return statistics.median(line.bottom - line.top for line in lines)


def _drop_page_numbers(lines: list[_Line]) -> list[_Line]:
    """Drop a lone page number on the first or last line of the page."""
    if lines and _PAGE_NUMBER.match(lines[-1].text().strip()):
        lines = lines[:-1]
    if len(lines) > 1 and _PAGE_NUMBER.match(lines[0].text().strip()):
        lines = lines[1:]
    return lines


@dataclasses.dataclass
class _Frame:
    """Where the page's running text sits: its left margin and right edge, its line pitch."""

    left: float
    right: float
    pitch: float
    char_width: float


def _frames(lines: list[_Line], char_width: float) -> list[_Frame]:
    """Return the frame around each line: margins of the lines near it, the page's pitch.

    Near, not page-wide: a text layer made from a skewed scan drifts a few points across a page.
    """
    pitch = _pitch(lines, _em(lines))
    plain = [index for index, line in enumerate(lines) if not line.columned] or list(range(len(lines)))
    wide = [index for index in plain if len(lines[index].items) >= 2] or plain
    frames = []
    for index in range(len(lines)):
        near_wide = [i for i in wide if abs(i - index) <= _NEAR_LINES] or wide
        near_plain = [i for i in plain if abs(i - index) <= _NEAR_LINES] or plain
        frames.append(_Frame(
            left=min(lines[i].x0 for i in near_wide),
            right=max(lines[i].x1 for i in near_plain),
            pitch=pitch,
            char_width=char_width,
        ))
    return frames


def _continues(previous: _Line, line: _Line, frame: _Frame) -> bool:
    """Tell whether ``line`` is a wrapped continuation of the paragraph ``previous`` ends."""
    if previous.columned or line.columned:
        return False
    if line.middle - previous.middle > _PARAGRAPH_PITCH * frame.pitch:
        return False
    if abs(line.x0 - frame.left) > 1.5 * frame.char_width:
        return False
    if _LIST_MARKER.match(line.items[0].text) and _CLAUSE_END.search(previous.items[-1].text):
        return False  # the next item of a list ("1.", "2.1-", "a)", "-"); "số\n20-CT/TU" runs on
    if not -1.5 <= (previous.x0 - frame.left) / frame.char_width <= _MAX_INDENT_CHARS:
        return False  # a centred or right-hand line is a paragraph of its own
    first_word = line.items[0].x1 - line.items[0].x0
    # A deliberate line break leaves room for the next line's first word; a wrap does not.
    return frame.right - previous.x1 <= first_word + 2 * frame.char_width


def page_text(items: list[Item]) -> str:
    """Return the text of one page: lines top to bottom, paragraphs joined, column gaps kept.

    >>> page_text([Item(0, 40, 0, 10, "Số"), Item(300, 340, 0, 10, "Phan")]).startswith("Số     ")
    True
    """
    items = [item for item in items if item.text.strip()]
    if not items:
        return ""
    char_width = _char_width(items)
    lines = _drop_page_numbers([_with_gaps(group, char_width) for group in _group_lines(items)])
    if not lines:
        return ""
    frames = _frames(lines, char_width)
    out = [lines[0].text()]
    for previous, line, frame in zip(lines, lines[1:], frames[1:]):
        if _continues(previous, line, frame):
            # A line broken after a hyphen ("35-" / "CT/TU") is one word; Vietnamese never hyphenates.
            attached = previous.items[-1].text.endswith("-") and len(previous.items[-1].text) > 1
            out[-1] += ("" if attached else " ") + line.text()
            continue
        if line.middle - previous.middle > _BLANK_PITCH * frame.pitch:
            out.append("")
        out.append(line.text())
    return "\n".join(out)


_SENTENCE_END = re.compile(r"[.!?…]\W*$")


def join_pages(pages: list[str]) -> str:
    """Join page texts; a paragraph that runs on to the next page in lower case stays one paragraph."""
    out = ""
    for text in (page.strip("\n") for page in pages):
        if not text:
            continue
        if not out:
            out = text
        elif text[0].islower() and not _SENTENCE_END.search(out) and not _LIST_MARKER.match(text):
            out += " " + text
        else:
            out += "\n\n" + text
    return out
