"""Read a corpus file of any format the indexer knows into normalized text, or say why it cannot.

The format comes from the file's content (a ``.doc`` that is really RTF or a web page is read as
what it is). Slow formats (LibreOffice conversion, OCR) run under limits and are cached by content.
"""

import dataclasses
import os
import re
import unicodedata

from indexer import formats
from indexer import legacy
from indexer.docxtext import read_docx
from indexer.limits import Limits
from indexer.limits import run_isolated
from indexer.normalize import normalize_text
from indexer.officeconvert import read_office
from indexer.plaintext import read_plain
from indexer.rawtext import Origin
from indexer.rawtext import RawText
from indexer.rawtext import UnreadableFile
from indexer.textcache import TextCache
from indexer.textcache import content_key

NOTICE_SUFFIXES = formats.NOTICE_SUFFIXES
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Formats whose reading is slow enough to be worth a cache entry.
_CACHED = frozenset({formats.DOC, formats.RTF, formats.PDF}) | formats.IMAGE_FORMATS
# Letters only Vietnamese has, in NFC; their absence next to many Latin-1 symbols inside words
# is the mark of TCVN3/VNI bytes read as if they were Unicode.
_VIETNAMESE_ONLY = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_LATIN1_IN_WORD = re.compile(r"(?<=[A-Za-z])[\u00a1-\u00ff]|[\u00a1-\u00ff](?=[A-Za-z])")


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """How to read files: size cap, converter limits, and where slow results are cached."""

    max_bytes: int = DEFAULT_MAX_BYTES
    limits: Limits = Limits()
    cache_dir: str | None = None


@dataclasses.dataclass
class Decoded:
    """Normalized text of one file, how it was obtained, and what reading it had to work around."""

    text: str
    origin: Origin
    warnings: list[str] = dataclasses.field(default_factory=list)


def repair_legacy(text: str) -> tuple[str, str | None]:
    """Convert Vietnamese whose TCVN3/VNI bytes were once read as Unicode, or reject it.

    Runs before normalization: TCVN3 writes "ư" as a soft hyphen, which normalization drops.

    :return: the text (converted if it had to be) and the encoding it was converted from
    :raise UnreadableFile: legacy-looking text that no table converts convincingly
    """
    letters = sum(1 for c in text if c.isalpha())
    vietnamese = len(_VIETNAMESE_ONLY.findall(text))
    latin1 = len(_LATIN1_IN_WORD.findall(text))
    if not (latin1 > 0.02 * letters and vietnamese < latin1):
        return text, None
    converted = legacy.convert_text(text)
    if not converted:
        raise UnreadableFile(
            "chữ Việt ở bảng mã cũ (TCVN3/VNI) bị đọc sai thành ký tự lạ và không chuyển được chắc chắn; "
            "hãy chuyển tệp sang Unicode"
        )
    return converted


def check_text(text: str) -> None:
    """Reject normalized text with no words, or mostly not letters.

    :raise UnreadableFile: with the reason
    """
    if not text.strip():
        raise UnreadableFile("không có nội dung chữ")
    letters = sum(1 for c in text if c.isalpha())
    if letters < 0.4 * len(text.replace(" ", "").replace("\n", "")):
        raise UnreadableFile("phần lớn không phải chữ (tệp nhị phân hoặc hỏng)")


def _read_file(path: str, options: ReadOptions) -> bytes:
    try:
        size = os.path.getsize(path)
        if size == 0:
            raise UnreadableFile("tệp rỗng (0 byte)")
        if size > options.max_bytes:
            raise UnreadableFile(
                f"tệp quá lớn ({size / 1048576:.1f} MB, giới hạn {options.max_bytes / 1048576:.0f} MB)"
            )
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise UnreadableFile(f"không mở được tệp: {exc.strerror or exc}") from None


def _read_binary(path: str, kind: str, limits: Limits) -> RawText:
    if kind == formats.DOCX:
        return run_isolated(read_docx, path, limits=limits, what="đọc tệp Word")
    if kind in (formats.DOC, formats.RTF):
        return read_office(path, kind, limits)
    from indexer.scanned import read_pdf_or_scan  # noqa: PLC0415 (PDF and OCR modules load on first use)

    return read_pdf_or_scan(path, kind, limits)


def read_raw(path: str, options: ReadOptions = ReadOptions()) -> RawText:
    """Read a file in whatever format its content shows, before normalization.

    :raise UnreadableFile: empty, too large, of a kind the indexer does not read, or damaged
    """
    data = _read_file(path, options)
    kind = formats.detect(data[:16], lambda: data)
    if kind is None:
        return read_plain(data, formats.format_of_name(path) or formats.TXT)
    cache = TextCache(options.cache_dir) if options.cache_dir and kind in _CACHED else None
    key = content_key(data, options.limits.pages) if cache else None
    cached = cache.get(key) if cache else None
    if cached:
        return cached
    raw = _read_binary(path, kind, options.limits)
    if cache:
        cache.put(key, raw)
    return raw


def read_notice(path: str, options: ReadOptions = ReadOptions()) -> Decoded:
    """Read a notice file of any supported format into normalized text.

    :raise UnreadableFile: the file cannot become text, with the reason
    """
    raw = read_raw(path, options)
    text, repaired = repair_legacy(unicodedata.normalize("NFC", raw.text))
    text = normalize_text(text)
    check_text(text)
    origin, warnings = raw.origin, list(raw.warnings)
    if repaired:
        origin = dataclasses.replace(origin, encodings=tuple(sorted({*origin.encodings, repaired})))
        warnings.append(f"đã chuyển chữ ở bảng mã cũ {repaired} sang Unicode")
    return Decoded(text, origin, warnings)
