"""Normalize Vietnamese text once, before anything else reads it.

Everything downstream (extraction, analysis, stored text, facet values, queries) sees the output
of :func:`normalize_text` or :func:`normalize_line`: NFC, one tone-mark style, ``\\n`` line ends.
"""

import re
import types
import unicodedata

# The style used in the seeds, expected.json and most official texts: "hòa", "thủy", "Tỉnh ủy".
# Only open syllables ending in oa/oe/uy differ between the two styles; "qu" is a consonant, so
# "quý" keeps its mark on the y.
_TONED_SECOND = "àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ"
_OLD_STYLE = re.compile(r"(?<![qQ])([oOuU])([" + _TONED_SECOND + r"])(?![^\W\d_])")
_TONE_OF = types.MappingProxyType(
    {c: i % 5 for i, c in enumerate(_TONED_SECOND)}
)
_BASE_OF = types.MappingProxyType(
    {c: "aeyAEY"[i // 5 % 3 + (3 if i >= 15 else 0)] for i, c in enumerate(_TONED_SECOND)}
)
_TONED_FIRST = types.MappingProxyType(
    {"o": "òóỏõọ", "u": "ùúủũụ", "O": "ÒÓỎÕỌ", "U": "ÙÚỦŨỤ"}
)
_VALID_PAIRS = frozenset({("o", "a"), ("o", "e"), ("u", "y")})

# Characters that carry no text: BOM, zero-width spaces and joiners, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
# Legacy converters often emit the Icelandic eth for the Vietnamese d-bar.
_LOOKALIKES = {ord("\u00d0"): "\u0110", ord("\u00f0"): "\u0111", ord("\t"): "    "}
_CLEAN = types.MappingProxyType({**_INVISIBLE, **_SPACES, **_LOOKALIKES})
# Most texts hold none of them: a search is far cheaper than translating every character.
_UNCLEAN = re.compile("[" + re.escape("".join(map(chr, _CLEAN))) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_TRAILING_SPACE = re.compile(r"[ ]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r"\s+")


def _to_old_style(match: re.Match) -> str:
    first, second = match.group(1), match.group(2)
    if (first.lower(), _BASE_OF[second].lower()) not in _VALID_PAIRS:
        return match.group(0)
    return _TONED_FIRST[first][_TONE_OF[second]] + _BASE_OF[second]


def normalize_tone_style(text: str) -> str:
    """Move tone marks of open oa/oe/uy syllables to the first vowel (``hoà`` -> ``hòa``).

    >>> normalize_tone_style("Tỉnh uỷ, hoà bình, quý, khoẻ")
    'Tỉnh ủy, hòa bình, quý, khỏe'
    """
    return _OLD_STYLE.sub(_to_old_style, text)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return text.translate(_CLEAN) if _UNCLEAN.search(text) else text


def normalize_line(text: str) -> str:
    """Return one-line text in NFC, one tone-mark style and single spaces (names, queries)."""
    text = _clean(text)
    return _SPACE_RUNS.sub(" ", normalize_tone_style(text)).strip()


def normalize_text(text: str) -> str:
    """Return a document's text in NFC and one tone-mark style, with ``\\n`` line ends.

    Spaces inside lines are kept: two-column layouts (signature beside *Nơi nhận*) rely on them.
    """
    text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub("", _clean(text))
    text = _TRAILING_SPACE.sub("", normalize_tone_style(text))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


def _build_fold_table() -> types.MappingProxyType:
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x1EFA):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        if base != char and base.isascii() and base.isalpha():
            table[code] = base
    return types.MappingProxyType(table)


_FOLD = _build_fold_table()


def fold_accents(text: str) -> str:
    """Strip Vietnamese diacritics from NFC text, keeping its length (``Đảng`` -> ``Dang``)."""
    return text.translate(_FOLD)


def has_diacritics(text: str) -> bool:
    """Tell whether NFC text carries any Vietnamese diacritic."""
    return fold_accents(text) != text


def match_key(text: str) -> str:
    """Return the comparison form of a name: normalized, lower case, single spaces."""
    return normalize_line(text).lower()
