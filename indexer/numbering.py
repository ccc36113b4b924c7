"""Word's automatic paragraph numbers ("1.", "2.1-", "a)"), which the file does not hold as text.

Conclusion points are often numbered by Word itself; without the numbers the text loses
"Điểm 2.3". Counters follow Word's rules: a level counts on, and deeper levels restart.
"""

from indexer.docxstyles import W

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_SUFFIX = {"tab": " ", "space": " ", "nothing": ""}


def _roman(number: int) -> str:
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def _letters(number: int) -> str:
    # Word repeats the letter past z: aa, bb...
    number = max(number, 1)
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def format_number(number: int, kind: str) -> str:
    """Write a counter in one of Word's number formats (``decimal``, ``upperRoman``...)."""
    if kind == "upperRoman":
        return _roman(number)
    if kind == "lowerRoman":
        return _roman(number).lower()
    if kind == "upperLetter":
        return _letters(number).upper()
    if kind == "lowerLetter":
        return _letters(number)
    if kind == "decimalZero":
        return f"{number:02d}"
    return str(number)


def _val(element, path: str, default=None):
    found = element.find(path)
    return found.get(f"{W}val", default) if found is not None else default


class Numbering:
    """The numbering definitions of one document and the counters while reading it."""

    def __init__(self, numbering):
        self._levels: dict[str, dict[int, object]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        if numbering is None:
            return
        abstract = {a.get(f"{W}abstractNumId"): a for a in numbering.iterfind(f"{W}abstractNum")}
        for num in numbering.iterfind(f"{W}num"):
            source = abstract.get(_val(num, f"{W}abstractNumId"))
            if source is None:
                continue
            levels = {int(lvl.get(f"{W}ilvl", "0")): lvl for lvl in source.iterfind(f"{W}lvl")}
            for override in num.iterfind(f"{W}lvlOverride"):
                replacement = override.find(f"{W}lvl")
                if replacement is not None:
                    levels[int(override.get(f"{W}ilvl", "0"))] = replacement
            self._levels[num.get(f"{W}numId")] = levels

    def label(self, paragraph, styles, style_id: str | None) -> str | None:
        """Return the number Word shows before a paragraph, counting it, or None."""
        num_id, level = self._numbering_of(paragraph, styles, style_id)
        levels = self._levels.get(num_id)
        if levels is None or level not in levels:
            return None
        counters = self._counters.setdefault(num_id, {})
        start = int(_val(levels[level], f"{W}start", "1"))
        counters[level] = counters.get(level, start - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]
        definition = levels[level]
        kind = _val(definition, f"{W}numFmt", "decimal")
        if kind == "none":
            return None
        text = _val(definition, f"{W}lvlText", "")
        if kind == "bullet":
            text = "-"
        else:
            for index, lvl in levels.items():
                value = counters.get(index, int(_val(lvl, f"{W}start", "1")))
                text = text.replace(f"%{index + 1}", format_number(value, _val(lvl, f"{W}numFmt", "decimal")))
        return text + _SUFFIX.get(_val(definition, f"{W}suff", "tab"), " ") if text else None

    @staticmethod
    def _numbering_of(paragraph, styles, style_id: str | None) -> tuple[str | None, int]:
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        if num_pr is None:
            for style in reversed(styles.chain(style_id)):
                num_pr = style.find(f"{W}pPr/{W}numPr")
                if num_pr is not None:
                    break
        if num_pr is None:
            return None, 0
        return _val(num_pr, f"{W}numId"), int(_val(num_pr, f"{W}ilvl", "0"))
