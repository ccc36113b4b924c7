"""Plain text and saved web pages: bytes in UTF-8, UTF-16/32 or a legacy 8-bit encoding."""

from indexer import legacy
from indexer.formats import HTML
from indexer.formats import TXT
from indexer.formats import looks_like_html
from indexer.htmltext import declared_charset
from indexer.htmltext import html_to_text
from indexer.rawtext import Origin
from indexer.rawtext import RawText
from indexer.rawtext import UnreadableFile

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_MAX_INVALID_UTF8 = 0.001


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


def _decode_declared(data: bytes) -> tuple[str, str, list[str]] | None:
    """Decode a page that declares Windows-1258 (Word's "Vietnamese" web page encoding) and is not UTF-8.

    Other declared 8-bit charsets are left to detection: old sites label TCVN3 or VNI bytes Latin-1.
    """
    if declared_charset(data) != "cp1258":
        return None
    try:
        data.decode("utf-8")
        return None  # UTF-8 under a wrong label: the bytes win
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258"), legacy.WINDOWS_1258, []
    except UnicodeDecodeError:
        return None


def read_plain(data: bytes, claimed: str) -> RawText:
    """Decode a text file or saved web page (``claimed`` is the format its name gives)."""
    page = claimed == HTML or looks_like_html(data[:512].decode("latin-1"))
    text, encoding, warnings = (page and _decode_declared(data)) or decode_bytes(data)
    kind = HTML if claimed == HTML or looks_like_html(text) else TXT
    if kind == HTML:
        text = html_to_text(text)
    legacy_names = () if encoding.startswith("utf") else (encoding,)
    return RawText(text, Origin(kind, encodings=legacy_names), warnings)
