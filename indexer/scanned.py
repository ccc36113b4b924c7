"""PDFs and scans (placeholder until the PDF and OCR readers land)."""

from indexer.limits import Limits
from indexer.rawtext import RawText
from indexer.rawtext import UnreadableFile

_NAMES = {"pdf": "tệp PDF", "png": "ảnh PNG", "jpeg": "ảnh JPEG", "tiff": "ảnh TIFF"}


def read_pdf_or_scan(path: str, kind: str, limits: Limits) -> RawText:
    """Read a PDF or a scanned image."""
    raise UnreadableFile(f"chưa đọc được {_NAMES[kind]}")
