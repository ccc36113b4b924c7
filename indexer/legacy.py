"""Vietnamese in legacy 8-bit encodings (TCVN3/ABC, VNI, Windows-1258), converted when sure.

Old office files hold Vietnamese in encodings from before Unicode. Conversion is accepted only
when the result reads as Vietnamese; anything less certain is refused, because indexing
mojibake would hide the notice from every search. The TCVN3 and VNI tables and their detection
come from ``viparse``; Windows-1258 is a codec Python has.
"""

import re
import unicodedata

from indexer.normalize import fold_accents

_WORD = re.compile(r"[^\W\d_]{2,}")
# Letters Vietnamese writes, in NFC: its base letters plus every toned or hatted vowel.
_VIETNAMESE_LETTERS = frozenset(
    "abcdeghiklmnopqrstuvxyđăâêôơư"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
# A Vietnamese syllable without its marks: onset, one to three vowels, coda.
_SYLLABLE = re.compile(r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
MIN_WORDS = 20
MIN_VIETNAMESE_WORDS = 0.85
MIN_MARKED_WORDS = 0.25


def is_syllable(word: str) -> bool:
    """Tell whether a lower-case word is shaped like one Vietnamese syllable (one tone at most)."""
    if not set(word) <= _VIETNAMESE_LETTERS:
        return False
    tones = sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONES)
    return tones <= 1 and _SYLLABLE.fullmatch(fold_accents(word)) is not None


def reads_as_vietnamese(text: str) -> bool:
    """Tell whether NFC text is clearly Vietnamese: nearly all its words are Vietnamese
    syllables and many carry marks (French, English or bare ASCII do not qualify)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return False
    syllables = sum(1 for w in words if is_syllable(w))
    marked = sum(1 for w in words if fold_accents(w) != w)
    return syllables >= MIN_VIETNAMESE_WORDS * len(words) and marked >= MIN_MARKED_WORDS * len(words)


def _viparse_fix(surface: str) -> tuple[str, str] | None:
    import viparse  # noqa: PLC0415 (only legacy files need it)

    encoding = viparse.detect_text_encoding(surface)
    if not encoding:
        return None
    return viparse.fix(surface, encoding=encoding), encoding.upper()


def _surface(data: bytes) -> str:
    """The characters legacy font bytes show as when read as Windows-1252 (Latin-1 for gaps)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def convert_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode bytes that are not Unicode as Windows-1258, TCVN3 or VNI, whichever reads as Vietnamese.

    :return: ``(text, encoding name)``, or None when no conversion is convincing
    """
    candidates = []
    try:
        candidates.append((unicodedata.normalize("NFC", data.decode("cp1258")), "Windows-1258"))
    except UnicodeDecodeError:
        pass
    fixed = _viparse_fix(_surface(data))
    if fixed:
        candidates.append(fixed)
    return next(((text, name) for text, name in candidates if reads_as_vietnamese(text)), None)


def convert_text(text: str) -> tuple[str, str] | None:
    """Repair text whose TCVN3/VNI bytes were once read as if they were Unicode.

    :return: ``(text, encoding name)``, or None when no conversion is convincing
    """
    fixed = _viparse_fix(text)
    if fixed and reads_as_vietnamese(fixed[0]):
        return fixed
    return None
