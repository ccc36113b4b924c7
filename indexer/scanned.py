"""PDFs and scans: the text layer where a page has one, OCR for the pages that have none."""

from indexer import formats
from indexer.limits import LimitExceeded
from indexer.limits import Limits
from indexer.limits import MissingProgram
from indexer.ocr import OcrText
from indexer.ocr import ocr_image_file
from indexer.ocr import ocr_pdf_pages
from indexer.pagetext import join_pages
from indexer.pdftext import read_pdf
from indexer.rawtext import METHOD_OCR
from indexer.rawtext import METHOD_TEXT
from indexer.rawtext import Origin
from indexer.rawtext import RawText
from indexer.rawtext import UnreadableFile


def _from_ocr(kind: str, ocr: OcrText, pages_total: int, warnings: list[str]) -> RawText:
    read = len(ocr.pages)
    origin = Origin(kind, METHOD_OCR, confidence=ocr.confidence, pages=read,
                    pages_total=pages_total if pages_total > read else None)
    return RawText(ocr.text, origin, warnings + ocr.warnings)


def read_pdf_or_scan(path: str, kind: str, limits: Limits) -> RawText:
    """Read a PDF (text layer, OCR for pages without one) or a scanned image.

    :raise indexer.rawtext.UnreadableFile: damaged, protected, a converter missing, or over a limit
    """
    if kind != formats.PDF:
        try:
            ocr = ocr_image_file(path, limits)
        except (LimitExceeded, MissingProgram):
            raise
        except UnreadableFile as exc:
            raise UnreadableFile(f"ảnh {kind.upper()}: {exc}") from None
        return _from_ocr(kind, ocr, ocr.pages_total, [])
    pdf = read_pdf(path, limits)
    missing = pdf.missing
    if not missing:
        read = len(pdf.pages)
        origin = Origin(formats.PDF, METHOD_TEXT, pdf.encodings, pages=read,
                        pages_total=pdf.pages_total if pdf.pages_total > read else None)
        return RawText(join_pages(pdf.pages), origin, pdf.warnings)
    ocr = ocr_pdf_pages(path, missing, limits)
    if len(missing) == len(pdf.pages):
        return _from_ocr(formats.PDF, ocr, pdf.pages_total, pdf.warnings)
    # A typed notice with a scanned page (the signed last page, often): both kinds, page by page.
    recognized = {page.number: page.text for page in ocr.pages}
    pages = [text if text is not None else recognized.get(number, "") for number, text in enumerate(pdf.pages, 1)]
    read = len(pdf.pages)
    origin = Origin(formats.PDF, METHOD_OCR, pdf.encodings, ocr.confidence, read,
                    pdf.pages_total if pdf.pages_total > read else None)
    return RawText(join_pages(pages), origin, pdf.warnings + ocr.warnings)
