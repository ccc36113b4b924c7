"""Highlight a query's phrases in stored text: matched syllables in ``<mark>``, the rest escaped."""

from markupsafe import Markup
from markupsafe import escape

from indexer.normalize import fold_accents
from portal.query import Phrase
from portal.query import phrase_pattern

FRAGMENT_CHARS = 220
MAX_FRAGMENTS = 3
_ELLIPSIS = "…"


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters grow when lowered ("İ"): keep those as they are, so offsets stay true.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def match_spans(text: str, phrases: list[Phrase]) -> list[tuple[int, int]]:
    """Return the character spans of ``text`` covered by any of the phrases, sorted and merged."""
    if not phrases:
        return []
    lowered = _lower_same_length(text)
    spans = []
    for exact in (True, False):
        chosen = [p for p in phrases if p.exact == exact]
        if chosen:
            # Folding keeps every character's place, so offsets found in it are offsets in the text.
            haystack = lowered if exact else fold_accents(lowered)
            spans.extend(m.span() for m in phrase_pattern([p.syllables for p in chosen]).finditer(haystack))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        # Matched syllables one space apart ("kinh tế", "doanh nghiệp") are one mark: one word.
        if merged and (start <= merged[-1][1] or (start == merged[-1][1] + 1 and text[start - 1] == " ")):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    """Escape ``text[start:end]`` with the given (sorted) spans wrapped in ``<mark>``."""
    end = len(text) if end is None else end
    out, pos = [], start
    for span_start, span_end in spans:
        if span_start >= end:
            break  # spans are sorted
        if span_end <= start:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        # Joined as plain strings, every piece escaped: a page of hits marks thousands of words.
        out += (escape(text[pos:span_start]), "<mark>", escape(text[span_start:span_end]), "</mark>")
        pos = span_end
    out.append(escape(text[pos:end]))
    return Markup("".join(out))


def _window(text: str, center: int, floor: int = 0) -> tuple[int, int]:
    start = max(floor, center - FRAGMENT_CHARS // 3)
    end = min(len(text), start + FRAGMENT_CHARS)
    # Widen to whole words so that no syllable is cut in two.
    while start > floor and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def _best_windows(text: str, spans: list[tuple[int, int]], floor: int) -> list[tuple[int, int]]:
    """Pick up to three non-overlapping windows holding the most different matched words."""
    candidates = []
    for span_start, _ in spans:
        start, end = _window(text, span_start, floor)
        inside = [text[a:b].lower() for a, b in spans if start <= a and b <= end]
        candidates.append((-len(set(inside)), -len(inside), start, end))
    chosen: list[tuple[int, int]] = []
    for _, _, start, end in sorted(candidates):
        if all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
        if len(chosen) == MAX_FRAGMENTS:
            break
    return sorted(chosen)


def snippet(text: str, phrases: list[Phrase], skip: int = 0, spans: list[tuple[int, int]] | None = None) -> Markup:
    """Return up to three highlighted fragments of ``text``; its opening when nothing matches.

    :param skip: where the body begins: the title and heading before it are left out
    :param spans: the phrases' :func:`match_spans`, when the caller has them already
    """
    spans = match_spans(text, phrases) if spans is None else spans
    # Prefer matches in the body: the title is shown above the snippet already.
    in_body = [span for span in spans if span[0] >= skip]
    if not in_body:
        start, end = _window(text, skip + FRAGMENT_CHARS // 3, skip)
        return mark(text, spans, start, end) + (_ELLIPSIS if end < len(text) else "")
    fragments = _best_windows(text, in_body, skip)
    parts = [mark(text, spans, start, end) for start, end in fragments]
    lead = _ELLIPSIS if fragments[0][0] > skip else ""
    tail = _ELLIPSIS if fragments[-1][1] < len(text) else ""
    return Markup(lead) + Markup(" " + _ELLIPSIS + " ").join(parts) + Markup(tail)
