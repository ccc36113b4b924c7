"""How a notice's text was obtained and which files it came from, worded for readers.

The indexer stores both in a notice's ``meta``: ``origin`` (format, OCR or text layer, legacy
encodings converted, pages read) and ``originals`` (the files, the one the text came from first).
Indexes built before those keys existed have neither: every function here accepts their absence.
"""

import numbers
import os

from flask import url_for

# Format -> (label readers see, MIME type when the index stored none).
FORMATS = {
    "pdf": ("PDF", "application/pdf"),
    "docx": ("Word (.docx)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ("Word 97-2003 (.doc)", "application/msword"),
    "rtf": ("RTF", "application/rtf"),
    "png": ("Ảnh quét (PNG)", "image/png"),
    "jpeg": ("Ảnh quét (JPEG)", "image/jpeg"),
    "tiff": ("Ảnh quét (TIFF)", "image/tiff"),
    "txt": ("Tệp văn bản (.txt)", "text/plain"),
    "html": ("Trang web (.html)", "text/html"),
}
DEFAULT_MIME = "application/octet-stream"
# Legacy Vietnamese fonts (the others the indexer converts, like Windows-1258, are code pages).
LEGACY_FONTS = {"TCVN3", "VNI"}
OCR_NOTE = "Văn bản nhận dạng từ bản quét — có thể có lỗi chính tả"
MISSING = "Tệp gốc không còn trên máy chủ"


def format_label(fmt: str | None) -> str:
    """Name a file format the way readers know it (``docx`` -> ``Word (.docx)``)."""
    known = FORMATS.get((fmt or "").lower())
    return known[0] if known else (fmt or "tệp").upper()


def content_type(original: dict) -> str:
    """Return the MIME type to serve an original with: the stored one, else its format's."""
    stored = original.get("mime")
    if isinstance(stored, str) and stored.strip():
        return stored.strip()
    known = FORMATS.get(str(original.get("format") or "").lower())
    return known[1] if known else DEFAULT_MIME


def _decimal(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def size_label(size) -> str:
    """Write a file size the Vietnamese way: ``49357`` -> ``48,2 KB`` (empty when unknown)."""
    if not isinstance(size, numbers.Integral) or size < 0:
        return ""
    if size < 1024:
        return f"{size:,} byte".replace(",", ".")
    value, unit = size / 1024, "KB"
    for bigger in ("MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{_decimal(value)} {unit}"


def _names(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " và " + values[-1]


def origin_notes(origin) -> list[str]:
    """Tell readers what to keep in mind about how the text was obtained (OCR, old fonts, pages)."""
    if not isinstance(origin, dict):
        return []
    notes = []
    if origin.get("method") == "ocr":
        confidence = origin.get("confidence")
        known = isinstance(confidence, numbers.Real) and not isinstance(confidence, bool)
        notes.append(OCR_NOTE + (f" (độ tin cậy trung bình {round(confidence)}%)" if known else ""))
    encodings = [str(e) for e in origin.get("encodings") or [] if e]
    if encodings:
        kind = "phông chữ cũ" if set(encodings) <= LEGACY_FONTS else "bảng mã cũ"
        notes.append(f"Chuyển từ {kind} {_names(encodings)} sang Unicode")
    pages, total = origin.get("pages"), origin.get("pages_total")
    if isinstance(total, int) and total > 0:
        if isinstance(pages, int) and pages > 0:
            notes.append(f"Chỉ đọc {pages} trang đầu trong tổng số {total} trang")
        else:
            notes.append(f"Chỉ đọc một phần của tệp ({total} trang)")
    return notes


def original_url(doc_id: str, number: int) -> str:
    """Return the public URL of a notice's ``number``-th original (1-based; the first has the short one)."""
    if number == 1:
        return url_for("doc.original", doc_id=doc_id)
    return url_for("doc.original_number", doc_id=doc_id, number=number)


def public_originals(doc_id: str, originals) -> list[dict]:
    """Describe a notice's originals for its page and JSON twin: never the server-side path."""
    out = []
    for number, original in enumerate(originals if isinstance(originals, list) else [], start=1):
        if not isinstance(original, dict):
            continue
        path = original.get("path")
        available = isinstance(path, str) and os.path.isfile(path)
        out.append({
            "name": original.get("name") or os.path.basename(path or "") or f"ban-goc-{number}",
            "format": original.get("format"),
            "format_label": format_label(original.get("format")),
            "size": original.get("size"),
            "size_label": size_label(original.get("size")),
            "mime": content_type(original),
            "url": original_url(doc_id, number),
            "available": available,
            "note": None if available else MISSING,
        })
    return out
