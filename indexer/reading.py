"""Read a corpus file into normalized text, or say clearly why it cannot be read."""

import dataclasses
import os
import re
import unicodedata

from indexer import legacy
from indexer.htmltext import html_to_text
from indexer.normalize import normalize_text
from indexer.rawtext import UnreadableFile

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
NOTICE_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_MAGIC = (
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"%PDF", "tệp PDF"),
    (b"PK\x03\x04", "tệp nén ZIP hoặc Office (docx, xlsx)"),
    (b"\xd0\xcf\x11\xe0", "tệp Office cũ (doc, xls)"),
    (b"Rar!", "tệp nén RAR"),
    (b"\x1f\x8b", "tệp nén gzip"),
    (b"7z\xbc\xaf", "tệp nén 7z"),
    (b"{\\rtf", "tệp RTF"),
)
_HTML_SNIFF = re.compile(r"^\s*(<!doctype html|<html|<head|<body|<meta)", re.IGNORECASE)
# Letters only Vietnamese has, in NFC; their absence next to many Latin-1 symbols inside words
# is the mark of TCVN3/VNI bytes read as if they were Unicode.
_VIETNAMESE_ONLY = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_LATIN1_IN_WORD = re.compile(r"(?<=[A-Za-z])[\u00a1-\u00ff]|[\u00a1-\u00ff](?=[A-Za-z])")
_MAX_INVALID_UTF8 = 0.001


@dataclasses.dataclass
class Decoded:
    """Normalized text of one file and what reading it had to work around."""

    text: str
    encoding: str
    warnings: list[str] = dataclasses.field(default_factory=list)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if len(sample) >= 4 and even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode file bytes as UTF-8 or UTF-16/32 (BOM or not).

    :return: ``(text, encoding, warnings)``
    :raise UnreadableFile: binary content or bytes in another encoding
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, []
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"có dấu BOM {encoding} nhưng nội dung hỏng (byte {exc.start})") from None
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(f"tệp nhị phân ({kind}), không phải văn bản")
    if b"\x00" in data[:8192]:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise UnreadableFile("tệp nhị phân (chứa byte 0), không phải văn bản")
        try:
            return data.decode(encoding), encoding, [f"đọc là {encoding} (không có BOM)"]
        except UnicodeDecodeError:
            raise UnreadableFile("tệp nhị phân (chứa byte 0), không phải văn bản") from None
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, _MAX_INVALID_UTF8 * len(data)):
        return text, "utf-8", [f"{bad} byte không hợp lệ UTF-8 (đầu tiên ở byte {first_bad}) đã thay bằng �"]
    converted = legacy.convert_bytes(data)
    if converted:
        text, name = converted
        return text, name, [f"đã chuyển từ bảng mã cũ {name} sang Unicode; nên lưu lại tệp ở UTF-8"]
    raise UnreadableFile(
        f"không phải UTF-8 hay UTF-16 (byte lỗi đầu tiên ở vị trí {first_bad}) và không nhận ra chắc chắn "
        "bảng mã cũ (TCVN3, VNI, Windows-1258): hãy chuyển tệp sang Unicode UTF-8"
    )


def repair_legacy(text: str) -> tuple[str, list[str]]:
    """Convert Vietnamese whose TCVN3/VNI bytes were once read as Unicode, or reject it.

    Runs before normalization: TCVN3 writes "ư" as a soft hyphen, which normalization drops.

    :return: the text (converted if it had to be) and warnings
    :raise UnreadableFile: legacy-looking text that no table converts convincingly
    """
    letters = sum(1 for c in text if c.isalpha())
    vietnamese = len(_VIETNAMESE_ONLY.findall(text))
    latin1 = len(_LATIN1_IN_WORD.findall(text))
    if not (latin1 > 0.02 * letters and vietnamese < latin1):
        return text, []
    converted = legacy.convert_text(text)
    if not converted:
        raise UnreadableFile(
            "chữ Việt ở bảng mã cũ (TCVN3/VNI) bị đọc sai thành ký tự lạ và không chuyển được chắc chắn; "
            "hãy chuyển tệp sang Unicode"
        )
    return converted[0], [f"đã chuyển chữ ở bảng mã cũ {converted[1]} sang Unicode"]


def check_text(text: str) -> None:
    """Reject normalized text with no words, or mostly not letters.

    :raise UnreadableFile: with the reason
    """
    if not text.strip():
        raise UnreadableFile("không có nội dung chữ")
    letters = sum(1 for c in text if c.isalpha())
    if letters < 0.4 * len(text.replace(" ", "").replace("\n", "")):
        raise UnreadableFile("phần lớn không phải chữ (tệp nhị phân hoặc hỏng)")


def read_notice(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Read a ``.txt`` or ``.html`` notice into normalized text.

    :raise UnreadableFile: empty, too large, binary, or not decodable, with the reason
    """
    try:
        size = os.path.getsize(path)
        if size == 0:
            raise UnreadableFile("tệp rỗng (0 byte)")
        if size > max_bytes:
            raise UnreadableFile(
                f"tệp quá lớn ({size / 1048576:.1f} MB, giới hạn {max_bytes / 1048576:.0f} MB)"
            )
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise UnreadableFile(f"không mở được tệp: {exc.strerror or exc}") from None
    text, encoding, warnings = decode_bytes(data)
    suffix = os.path.splitext(path)[1].lower()
    if suffix in HTML_SUFFIXES or _HTML_SNIFF.match(text[:512]):
        text = html_to_text(text)
    text, repaired = repair_legacy(unicodedata.normalize("NFC", text))
    text = normalize_text(text)
    check_text(text)
    return Decoded(text, encoding, warnings + repaired)
