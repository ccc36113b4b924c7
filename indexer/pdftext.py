"""Read the text layer of a PDF, page by page, with legacy-font runs converted to Unicode.

pdfminer.six hands out every character with its box and font name. Characters are grouped into
words by position, each run of one font inside a word is converted (``.VnTime`` = TCVN3, ``VNI-``
= VNI, ``H`` fonts = capitals), and the words of a page are laid out by ``indexer.pagetext``.
A page without a usable text layer (a scan) comes back as None, for OCR to read.
"""

import dataclasses
import itertools
import logging
import statistics

from indexer import fonts
from indexer import legacy
from indexer.limits import Limits
from indexer.limits import run_isolated
from indexer.pagetext import Item
from indexer.pagetext import page_text
from indexer.rawtext import UnreadableFile

# Fewer letters than this on a page: nothing worth indexing, or a scan with a stray footer.
MIN_PAGE_LETTERS = 20
# Share of words that must look like Vietnamese syllables, numbers or codes on a readable page.
_MIN_WORD_SHARE = 0.6
_MAX_CID_SHARE = 0.05
# A page of at least this many words must read as Vietnamese: syllables, four in five marked.
_JUDGED_WORDS = 40
_MIN_SYLLABLES = 0.8
_MIN_MARKED = 0.3
# Gaps inside a word, in ems: kerning at most, or letter spacing where spaces are glyphs of their own.
_GLYPH_GAP = 0.12
_LETTER_SPACING = 0.25
_SPACES_PER_CHAR = 0.05
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})


@dataclasses.dataclass
class PdfText:
    """The text layer of a PDF: one entry per page read, None where a page has no usable text."""

    pages: list[str | None]
    pages_total: int
    encodings: tuple[str, ...] = ()
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def missing(self) -> list[int]:
        """Return the 1-based numbers of the pages read that need OCR."""
        return [number for number, text in enumerate(self.pages, 1) if text is None]


def _chars(container):
    """Yield the characters of a pdfminer layout object, figures included, in stream order."""
    from pdfminer.layout import LTChar

    for obj in container:
        if isinstance(obj, LTChar):
            yield obj
        elif hasattr(obj, "__iter__"):
            yield from _chars(obj)


def _standing(char) -> bool:
    """Tell whether a character stands upright and reads left to right (pdfminer's ``upright``
    also takes text turned upside down)."""
    a, b, _, d = char.matrix[:4]
    return a > 0 and d > 0 and abs(b) <= 0.1 * a


def _same_word(previous, char, spaced: bool) -> bool:
    size = max(previous.size, char.size, 1.0)
    if abs(previous.y0 - char.y0) > 0.3 * size:
        return False
    # Zero-width VNI marks and kerning step back a little; a space glyph or a gap ends the word.
    # Where the page writes its spaces, a wider gap is letter spacing ("T H Ô N G  B Á O" set
    # with expanded spacing), not a word break.
    return -0.6 * size <= char.x0 - previous.x1 <= (_LETTER_SPACING if spaced else _GLYPH_GAP) * size


def _words(chars) -> list[list]:
    chars = list(chars)
    spaced = sum(1 for c in chars if c.get_text() == " ") >= _SPACES_PER_CHAR * len(chars)
    words: list[list] = []
    previous = None
    for char in chars:
        text = char.get_text()
        if not text or text.isspace():
            previous = None
            continue
        if previous is not None and _same_word(previous, char, spaced):
            if text == previous.get_text() and abs(char.x0 - previous.x0) < 0.2 * char.size:
                continue  # bold faked by printing the same glyph twice
            words[-1].append(char)
        else:
            words.append([char])
        previous = char
    return words


def _convert_word(chars, encodings: set) -> str:
    """Convert each run of one font in a word; a letter and its VNI mark share a run."""
    parts = []
    for fontname, run in itertools.groupby(chars, key=lambda c: c.fontname):
        surface = "".join(c.get_text() for c in run)
        font = fonts.legacy_font(fontname)
        text = fonts.convert(surface, font)
        if text != surface:
            encodings.add(font.encoding)
        parts.append(text)
    return "".join(parts).translate(_LIGATURES)


def _page_items(ltpage, encodings: set) -> list[Item]:
    height = ltpage.y1
    items = []
    for word in _words(c for c in _chars(ltpage) if _standing(c)):
        items.append(Item(
            x0=min(c.x0 for c in word), x1=max(c.x1 for c in word),
            top=height - max(c.y1 for c in word), bottom=height - min(c.y0 for c in word),
            text=_convert_word(word, encodings), size=statistics.median(c.size for c in word),
        ))
    return items


def usable(text: str) -> bool:
    """Tell whether a page's text layer reads as text (not empty, not glyph codes or junk)."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < MIN_PAGE_LETTERS or text.count("(cid:") * 6 > _MAX_CID_SHARE * len(text):
        return False
    words = [w.strip(".,;:!?()[]\"'“”‘’…-–") for w in text.split()]
    words = [w for w in words if w]
    if sum(1 for w in words if _plausible(w)) < _MIN_WORD_SHARE * len(words):
        return False
    count, syllables, marked = legacy.vietnamese_score(text)
    # A page of Vietnamese marks four words in five; a scanner's OCR layer made without the
    # Vietnamese model ("Phan Thiét, ngdy 16 thdng 5") marks a few, often wrongly.
    return count < _JUDGED_WORDS or (syllables >= _MIN_SYLLABLES and marked >= _MIN_MARKED)


def _plausible(word: str) -> bool:
    """A Vietnamese syllable, a number, or a code in capitals (``503-TB/TU``, ``UBND``)."""
    return legacy.is_syllable(word.lower()) or not any(c.islower() for c in word)


def _repair_unnamed_legacy(text: str, encodings: set) -> str:
    """Convert a page typed in a legacy font whose name does not say so (an embedded subset)."""
    if legacy.reads_as_vietnamese(text, min_words=10):
        return text
    guess = legacy.best_guess(text, min_words=10)
    if not guess:
        return text
    encodings.add(guess[1])
    return guess[0]


def _open(path: str):
    """Open a PDF with pdfminer, or say in Vietnamese why it cannot be read."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    with open(path, "rb") as f:
        if not f.read(1024).lstrip(b"\0\r\n\t ").startswith(b"%PDF"):
            raise UnreadableFile("không phải tệp PDF (thiếu phần đầu %PDF)")
    stream = open(path, "rb")  # noqa: SIM115 (pdfminer reads objects lazily: the file stays open)
    try:
        return PDFDocument(PDFParser(stream), password=""), stream
    except PDFPasswordIncorrect:
        stream.close()
        raise UnreadableFile("tệp PDF có mật khẩu, không đọc được") from None
    except PDFEncryptionError as exc:
        stream.close()
        raise UnreadableFile(f"tệp PDF được mã hóa theo cách không hỗ trợ ({exc})") from None
    except Exception as exc:  # noqa: BLE001 (pdfminer raises many kinds on a broken file)
        stream.close()
        raise UnreadableFile(f"tệp PDF hỏng, không đọc được cấu trúc ({type(exc).__name__}: {exc})"[:300]) from None


def _page_count(document) -> int:
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    count = resolve1(resolve1(document.catalog.get("Pages")) or {}).get("Count")
    if isinstance(count, int) and count > 0:
        return count
    return sum(1 for _ in PDFPage.create_pages(document))


def _interpret(interpreter, device, page):
    """Lay out a page's characters, turned so that most of them stand upright.

    A page's /Rotate turns it for display; text drawn already turned in the page's own space
    (a landscape page, a page rotated after typing) reads upright at another quarter turn.
    """
    best, upright = None, -1
    for quarter in range(4):
        interpreter.process_page(page)
        layout = device.get_result()
        chars = list(_chars(layout))
        standing = sum(1 for char in chars if _standing(char))
        if standing > upright:
            best, upright = layout, standing
        if standing >= 0.5 * len(chars):
            break
        page.rotate = (page.rotate + 90) % 360
    return best


def _read_page(interpreter, device, page) -> tuple[str | None, set]:
    """Return a page's text (None when it has no usable text layer) and the legacy encodings it used."""
    from pdfminer.psexceptions import PSException

    try:
        layout = _interpret(interpreter, device, page)
    except (PSException, ValueError, KeyError, TypeError):  # PSException covers pdfminer's PDF errors
        return None, set()  # a damaged page: OCR reads what Poppler can still draw of it
    used: set = set()
    text = page_text(_page_items(layout, used))
    if not used:
        text = _repair_unnamed_legacy(text, used)
    return (text, used) if usable(text) else (None, set())


def _parse(path: str, max_pages: int) -> PdfText:
    """Read up to ``max_pages`` pages (runs in the isolated child)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its notes on odd files are not ours to print
    document, stream = _open(path)
    with stream:
        total = _page_count(document)
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=None)
        interpreter = PDFPageInterpreter(manager, device)
        encodings: set = set()
        pages = []
        for page in itertools.islice(PDFPage.create_pages(document), max_pages):
            text, used = _read_page(interpreter, device, page)
            pages.append(text)
            encodings |= used
    if not pages:
        raise UnreadableFile("tệp PDF không có trang nào")
    return _result(pages, max(total, len(pages)), encodings)


def _result(pages: list, total: int, encodings: set) -> PdfText:
    warnings = []
    if total > len(pages):
        warnings.append(f"chỉ đọc {len(pages)}/{total} trang đầu (giới hạn trang)")
    if encodings:
        names = ", ".join(sorted(encodings))
        warnings.append(f"đã chuyển chữ ở phông cũ {names} sang Unicode")
    return PdfText(pages, total, tuple(sorted(encodings)), warnings)


def read_pdf(path: str, limits: Limits) -> PdfText:
    """Read the text layer of the first ``limits.pages`` pages of a PDF, in a child under the limits.

    :raise UnreadableFile: password, broken file, no pages, or over the time or memory limit
    """
    return run_isolated(_parse, path, limits.pages, limits=limits, what="đọc tệp PDF")
