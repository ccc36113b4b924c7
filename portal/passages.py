"""A notice's conclusion points and paragraphs, and the passage that best matches a query.

The notice page and search hits both split text here, so that a hit's anchor is an id on the page.
A numbered paragraph ("1.", "2.3-", "II-", "a)") opens a point; the paragraphs after it belong to
it until the next numbered one or the closing formula ("./.", "Nơi nhận"). Every paragraph is
``doan-<n>`` (n-th non-empty line), every point ``diem-<number>`` (``diem-2-3``).
"""

import bisect
import dataclasses
import re
import typing

from markupsafe import Markup

from indexer.normalize import fold_accents
from portal.highlight import mark
from portal.highlight import match_spans
from portal.query import Phrase

# One or two digits a level, so that a year ("2018.") or a figure ("1.5 tỷ") opens no point; a
# cited number ("17-KL/TU") neither.
_POINT = re.compile(
    r"[ \t]*(?P<number>[IVXL]+|\d{1,2}(?:\.\d{1,2})*|[a-zđ])(?P<sep>[.)\-–])(?![\d/])(?![^\W\d_]+/)[ \t]*"
)
# Where the conclusions end: "…thực hiện./." (also "./-") or the list of recipients.
_CLOSING_END = re.compile(r"/[.\-][ \t]*$")
_CLOSING_START = re.compile(r"[ \t]*nơi nhận", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;:…][\"”)]?\s+")
_SYLLABLE = re.compile(r"[^\W_]+")
PASSAGE_CHARS = 320  # a passage longer than WHOLE_CHARS is trimmed to about this many characters
WHOLE_CHARS = 420
_LEAD = PASSAGE_CHARS // 3  # context kept before the first match of a trimmed passage
_ELLIPSIS = "…"


class Paragraph(typing.NamedTuple):
    """A non-empty line of the text: ``text[start:end]``."""

    start: int
    end: int
    anchor: str  # doan-<n>


@dataclasses.dataclass(frozen=True)
class Section:
    """A numbered point with the paragraphs that follow it, or one paragraph outside any point."""

    paragraphs: tuple[Paragraph, ...]
    number: str | None = None  # "2.3", "II", "a" as the notice writes it
    anchor: str | None = None  # diem-2-3, unique in the notice
    content_start: int = 0  # where the point's text begins, after its number

    @property
    def start(self) -> int:
        return self.paragraphs[0].start

    @property
    def end(self) -> int:
        return self.paragraphs[-1].end

    @property
    def label(self) -> str | None:
        """Name the point as a reader would: "Điểm 2.3", "Mục II" (Roman numerals head sections)."""
        if self.number is None:
            return None
        return ("Mục " if self.number.isupper() else "Điểm ") + self.number


def _unique(anchor: str, taken: set[str]) -> str:
    # Notices do number two points alike ("2.2-" twice in one seed): the second is diem-2-2-2.
    candidate, n = anchor, 1
    while candidate in taken:
        n += 1
        candidate = f"{anchor}-{n}"
    taken.add(candidate)
    return candidate


def _lines(text: str):
    """Yield ``(start, end)`` of every non-empty line."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            yield start, end
        start = end + 1


def split(text: str) -> list[Section]:
    """Split a notice into sections: numbered points (with their paragraphs) and lone paragraphs."""
    sections: list[tuple[list[Paragraph], str | None, str | None, int]] = []
    taken: set[str] = set()
    in_point = closed = False
    for n, (start, end) in enumerate(_lines(text), 1):
        paragraph = Paragraph(start, end, f"doan-{n}")
        point = None if closed else _POINT.match(text, start, end)
        closed = closed or bool(_CLOSING_END.search(text, start, end) or _CLOSING_START.match(text, start, end))
        if point:
            number = point.group("number")
            anchor = _unique("diem-" + fold_accents(number.replace(".", "-")).lower(), taken)
            sections.append(([paragraph], number, anchor, point.end()))
        elif in_point and not closed:
            sections[-1][0].append(paragraph)
        else:
            sections.append(([paragraph], None, None, start))
        in_point = bool(point) or (in_point and not closed)
    return [Section(tuple(paragraphs), *rest) for paragraphs, *rest in sections]


def _syllables(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, ...]]:
    """Return each match's syllables, folded: ``Dân vận`` -> ``("dan", "van")``."""
    known: dict[str, tuple[str, ...]] = {}  # a page of matches repeats a few words
    keys = []
    for a, b in spans:
        matched = text[a:b]
        if matched not in known:
            known[matched] = tuple(_SYLLABLE.findall(fold_accents(matched.lower())))
        keys.append(known[matched])
    return keys


def _score(keys: list[tuple[str, ...]], filler: frozenset) -> tuple[int, int, int, int]:
    """Distinct query syllables (fillers like "mới nhất" last), the longest run matched together
    ("dân vận" over "dẫn ... vấn"), then matches."""
    distinct = {s for key in keys for s in key}
    return len(distinct - filler), max(map(len, keys), default=0), len(distinct), len(keys)


def _best_section(sections: list[Section], starts: list[int], keys, filler) -> Section:
    """Return the section whose matches score best (the earliest of equals); each match counts where it starts."""
    ends = [section.end for section in sections]
    found: dict[int, list] = {}
    for start, key in zip(starts, keys):
        found.setdefault(min(bisect.bisect_right(ends, start), len(ends) - 1), []).append(key)
    return sections[max(found, key=lambda i: (_score(found[i], filler), -i))]


def _window_start(text: str, floor: int, ceiling: int, first_match: int) -> int:
    """Start a trimmed passage at a sentence beginning shortly before the match, else at a word.

    Near the end of the section the passage starts earlier, so that it keeps its length.
    """
    start = max(floor, min(first_match - _LEAD, ceiling - PASSAGE_CHARS))
    if start == floor:
        return floor
    sentence = _SENTENCE_END.search(text, start, first_match)
    if sentence:
        return sentence.end()
    while start < first_match and text[start - 1].isalnum():
        start += 1
    return start


def _best_window(text: str, floor: int, ceiling: int, spans, keys, filler) -> tuple[int, int]:
    """Return the stretch of about PASSAGE_CHARS in ``[floor, ceiling)`` holding most query words.

    ``spans`` and ``keys`` are the matches inside the stretch, in order.
    """
    if ceiling - floor <= WHOLE_CHARS:
        return floor, ceiling
    if not spans:
        return floor, _word_end(text, floor + PASSAGE_CHARS, ceiling)
    # Slide over the matches: the window opening at match i holds matches i..j-1.
    best, best_score, j = 0, None, 0
    for i in range(len(spans)):
        reach = spans[i][0] + PASSAGE_CHARS - _LEAD
        while j < len(spans) and (j <= i or spans[j][1] <= reach):
            j += 1
        score = _score(keys[i:j], filler)
        if best_score is None or score > best_score:
            best, best_score = i, score
    start = _window_start(text, floor, ceiling, spans[best][0])
    return start, _word_end(text, start + PASSAGE_CHARS, ceiling)


def _word_end(text: str, end: int, ceiling: int) -> int:
    end = min(end, ceiling)
    while end < ceiling and text[end].isalnum():
        end += 1
    return end


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def best_passage(text: str, spans: list[tuple[int, int]], filler: frozenset = frozenset(),
                 skip: int = 0) -> dict | None:
    """Pick the section matching most distinct query syllables (see :func:`_score`; then the earliest).

    :param spans: the query's matches in ``text`` (:func:`portal.highlight.match_spans`)
    :param filler: folded syllables that count only after every other (``moi``, ``nhat``)
    :param skip: where the body begins: the heading before it is never the passage
    :return: ``{"html", "label", "anchor"}``; None when nothing in the body matches
    """
    body = [span for span in spans if span[0] >= skip]
    if not body:
        return None
    starts = [a for a, _ in body]
    keys = _syllables(text, body)
    section = _best_section(split(text), starts, keys, filler)
    floor, ceiling = _strip(text, max(section.content_start, skip), section.end)
    low, high = bisect.bisect_left(starts, floor), bisect.bisect_left(starts, ceiling)
    start, end = _strip(text, *_best_window(text, floor, ceiling, body[low:high], keys[low:high], filler))
    html = mark(text, body[max(0, bisect.bisect_left(starts, start) - 1):], start, end)
    html = Markup(_ELLIPSIS if start > floor else "") + html + Markup(_ELLIPSIS if end < ceiling else "")
    # Paragraphs of one point read as one passage: line breaks and blank lines become a space.
    html = Markup(re.sub(r"[ \t]*\n\s*", " ", str(html)))
    return {"html": html, "label": section.label, "anchor": section.anchor or section.paragraphs[0].anchor}


def query_passage(text: str, phrases: list[Phrase], skip: int = 0,
                  spans: list[tuple[int, int]] | None = None) -> dict | None:
    """Return :func:`best_passage` for a query's phrases; None without phrases (browsing).

    :param spans: the phrases' :func:`match_spans`, when the caller has them already
    """
    if not phrases:
        return None
    filler = frozenset(fold_accents(s) for p in phrases if p.filler for s in p.syllables)
    return best_passage(text, match_spans(text, phrases) if spans is None else spans, filler, skip)
