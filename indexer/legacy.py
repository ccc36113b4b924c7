"""Vietnamese in legacy 8-bit encodings (TCVN3/ABC, VNI, Windows-1258), converted when sure.

Old office files hold Vietnamese in encodings from before Unicode. Where a font names the
encoding (``indexer.fonts``) the conversion is certain; for bare bytes it is accepted only when the
result reads as Vietnamese, because indexing mojibake would hide the notice from every search.

Legacy text is handled as its *surface*: the characters its bytes show as in Windows-1252, which
is what Word, LibreOffice and PDF text layers hand out for a ``.VnTime`` or ``VNI-Times`` run.
"""

import re
import types
import unicodedata

from indexer.normalize import fold_accents

TCVN3 = "TCVN3"
VNI = "VNI"
WINDOWS_1258 = "Windows-1258"

# TCVN 5712:1993 (VN3, the ``.Vn`` fonts): one byte per letter, capitals only for the seven
# hatted or barred vowels; a capital with a tone is drawn by a ``.Vn...H`` font from the
# lower-case byte.
_TCVN3_PAIRS = (
    "¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ ¨ă ©â ªê «ô ¬ơ \u00adư ®đ "
    "µà ¶ả ·ã ¸á ¹ạ »ằ ¼ẳ ½ẵ ¾ắ Æặ Çầ Èẩ Éẫ Êấ Ëậ "
    "Ìè Îẻ Ïẽ Ðé Ñẹ Òề Óể Ôễ Õế Öệ ×ì Øỉ Üĩ Ýí Þị "
    "ßò áỏ âõ ãó äọ åồ æổ çỗ èố éộ êờ ëở ìỡ íớ îợ "
    "ïù ñủ òũ óú ôụ õừ öử ÷ữ øứ ùự úỳ ûỷ üỹ ýý þỵ"
)
TCVN3_TABLE = types.MappingProxyType({pair[0]: pair[1] for pair in _TCVN3_PAIRS.split(" ")})

# VNI Windows (the ``VNI-`` fonts): a base letter followed by one mark character; đ, ơ, ư and the
# marked i's and ỵ are single characters.
_VNI_MARKS = {
    # mark: (plain vowel + tone) for a, e, o, u, y, i
    "ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
}
_VNI_HAT = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323", "â": ""}
_VNI_BREVE = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323", "ê": ""}
_VNI_SINGLE = {
    "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    "ò": "ị", "Ò": "Ị", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "î": "ỵ", "Î": "Ỵ",
}


def _build_vni() -> dict[str, str]:
    table = dict(_VNI_SINGLE)

    def add(base: str, mark: str, combining: str) -> None:
        for b, m in ((base, mark), (base.upper(), mark.upper())):
            table[b + m] = unicodedata.normalize("NFC", b + combining)

    for base in "aeouy":
        for mark, tone in _VNI_MARKS.items():
            add(base, mark, tone)
    for base in ("ô", "ö"):  # ơ and ư take the plain tone marks
        for mark, tone in _VNI_MARKS.items():
            table[base + mark] = unicodedata.normalize("NFC", _VNI_SINGLE[base] + tone)
            upper = base.upper()
            table[upper + mark.upper()] = unicodedata.normalize("NFC", _VNI_SINGLE[upper] + tone)
    for base in "aeo":
        for mark, tone in _VNI_HAT.items():
            add(base, mark, "\u0302" + tone)
    for mark, tone in _VNI_BREVE.items():
        add("a", mark, "\u0306" + tone)
    # i takes its grave and acute from Latin-1 itself (ì, í); only these need no table entry.
    return table


VNI_TABLE = types.MappingProxyType(_build_vni())
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, VNI_TABLE), key=len, reverse=True)))
_TCVN3_TRANSLATION = types.MappingProxyType({ord(k): v for k, v in TCVN3_TABLE.items()})

_WORD = re.compile(r"[^\W\d_]{2,}")
# Letters Vietnamese writes, in NFC: its base letters plus every toned or hatted vowel.
_VIETNAMESE_LETTERS = frozenset(
    "abcdeghiklmnopqrstuvxyđăâêôơư"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
# A Vietnamese syllable without its marks: onset, one to three vowels, coda.
_SYLLABLE = re.compile(r"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Characters no Windows-1252 surface holds: text with them is Unicode already.
_BEYOND_SURFACE = re.compile("[\u0100-\u01ff\u0300-\u036f\u1ea0-\u1ef9]")
MIN_WORDS = 20
MIN_VIETNAMESE_WORDS = 0.85
MIN_MARKED_WORDS = 0.25


def is_unicode_vietnamese(text: str) -> bool:
    """Tell whether text holds characters that a legacy-font surface cannot (so it is Unicode)."""
    return _BEYOND_SURFACE.search(text) is not None


def decode(surface: str, encoding: str) -> str:
    """Convert the Windows-1252 surface of TCVN3 or VNI text to Unicode (NFC).

    Characters outside the table pass through, so ASCII, digits and punctuation stay as they are.
    """
    if encoding == TCVN3:
        return surface.translate(_TCVN3_TRANSLATION)
    if encoding == VNI:
        return _VNI_PATTERN.sub(lambda m: VNI_TABLE[m.group(0)], surface)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


def _reverse(table) -> dict[str, str]:
    reverse: dict[str, str] = {}
    for surface, letter in table.items():
        if letter not in reverse or len(surface) < len(reverse[letter]):
            reverse[letter] = surface
    return reverse


_ENCODE = types.MappingProxyType({TCVN3: _reverse(TCVN3_TABLE), VNI: _reverse(VNI_TABLE)})


def encode(text: str, encoding: str) -> str:
    """Write Unicode Vietnamese as a TCVN3 or VNI surface (for tests and tools: what old files hold).

    TCVN3 has no toned capitals: they come out as the lower-case letter, as an ``H`` font run would hold.
    """
    table = _ENCODE[encoding]
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in table:
            out.append(table[char])
        elif encoding == TCVN3 and char.lower() in table:
            out.append(table[char.lower()])
        else:
            out.append(char)
    return "".join(out)


def is_syllable(word: str) -> bool:
    """Tell whether a lower-case word is shaped like one Vietnamese syllable (one tone at most)."""
    if not set(word) <= _VIETNAMESE_LETTERS:
        return False
    tones = sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONES)
    return tones <= 1 and _SYLLABLE.fullmatch(fold_accents(word)) is not None


def vietnamese_score(text: str) -> tuple[int, float, float]:
    """Return ``(words, share shaped like syllables, share carrying marks)`` of NFC text."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return 0, 0.0, 0.0
    syllables = sum(1 for w in words if is_syllable(w))
    marked = sum(1 for w in words if fold_accents(w) != w)
    return len(words), syllables / len(words), marked / len(words)


def reads_as_vietnamese(text: str, min_words: int = MIN_WORDS) -> bool:
    """Tell whether NFC text is clearly Vietnamese: nearly all its words are Vietnamese
    syllables and many carry marks (French, English or bare ASCII do not qualify)."""
    words, syllables, marked = vietnamese_score(text)
    return words >= min_words and syllables >= MIN_VIETNAMESE_WORDS and marked >= MIN_MARKED_WORDS


def _surface(data: bytes) -> str:
    """The characters legacy font bytes show as when read as Windows-1252 (Latin-1 for gaps)."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def best_guess(surface: str, min_words: int = MIN_WORDS) -> tuple[str, str] | None:
    """Convert a surface of unknown legacy encoding with the table whose result reads best.

    :return: ``(text, encoding name)``, or None when no conversion is convincing
    """
    best = None
    for encoding in (TCVN3, VNI):
        text = unicodedata.normalize("NFC", decode(surface, encoding))
        words, syllables, marked = vietnamese_score(text)
        if words >= min_words and syllables >= MIN_VIETNAMESE_WORDS and marked >= MIN_MARKED_WORDS:
            if best is None or (syllables, marked) > best[0]:
                best = ((syllables, marked), text, encoding)
    return (best[1], best[2]) if best else None


_LATIN1_IN_WORD = re.compile(r"(?<=[A-Za-z])[\u00a1-\u00ff]|[\u00a1-\u00ff](?=[A-Za-z])")


def repair_unnamed(text: str, min_words: int = 3) -> tuple[str, str | None]:
    """Convert a passage typed in a legacy font whose name was lost (substituted, or unknown to us).

    Only passages with no Unicode Vietnamese letter and Latin-1 symbols inside words are tried.

    :return: the text (converted if a table reads convincingly) and the encoding, or None
    """
    if is_unicode_vietnamese(text) or len(_LATIN1_IN_WORD.findall(text)) < 2:
        return text, None
    guess = best_guess(text, min_words)
    return guess if guess else (text, None)


def convert_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode bytes that are not Unicode as Windows-1258, TCVN3 or VNI, whichever reads as Vietnamese.

    :return: ``(text, encoding name)``, or None when no conversion is convincing
    """
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
        if reads_as_vietnamese(text):
            return text, WINDOWS_1258
    except UnicodeDecodeError:
        pass
    return best_guess(_surface(data))


def convert_text(text: str) -> tuple[str, str] | None:
    """Repair text whose TCVN3/VNI bytes were once read as if they were Unicode.

    :return: ``(text, encoding name)``, or None when no conversion is convincing
    """
    return best_guess(text)
