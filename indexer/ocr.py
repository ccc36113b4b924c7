"""Recognize the text of scanned pages (PDF pages without a text layer, PNG/JPEG/TIFF scans).

Pages are rasterized by Poppler's pdftoppm at 300 dpi, prepared by ``indexer.scanprep`` in an
isolated child (Pillow decodes untrusted images there), read by Tesseract's Vietnamese model,
and Tesseract's word boxes are laid out by ``indexer.pagetext`` so that header columns and
paragraphs come out as the layout reader expects. Each step (rasterizing, preparing or reading
one page) runs under the file's time and memory limits on its own; pages beyond the page limit
are left out with a warning.
"""

import csv
import dataclasses
import functools
import io
import os
import re
import statistics
import tempfile
import unicodedata

from indexer import scanprep
from indexer.limits import Limits
from indexer.limits import MissingProgram
from indexer.limits import require_program
from indexer.limits import run_isolated
from indexer.limits import run_program
from indexer.pagetext import Item
from indexer.pagetext import join_pages
from indexer.pagetext import page_text
from indexer.rawtext import UnreadableFile

LANGUAGE = "vie"
_WHAT = "nhận dạng chữ trên ảnh quét (OCR)"
_JUNK_CONFIDENCE = 30.0
# Below this mean word confidence a page may be lying sideways or upside down: ask Tesseract.
_DOUBTFUL_CONFIDENCE = 60.0
_LOW_CONFIDENCE = 70.0
_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE)
_ALNUM = re.compile(r"[^\W_]")
_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", re.MULTILINE)


@dataclasses.dataclass
class OcrPage:
    """One recognized page: its number in the file (from 1), text and mean word confidence."""

    number: int
    text: str
    confidence: float | None  # 0-100, None when no word was found
    words: int


@dataclasses.dataclass
class OcrText:
    """The recognized pages of one file, in order, and what reading them noticed."""

    pages: list[OcrPage]
    pages_total: int
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def confidence(self) -> float | None:
        """Return the mean word confidence over all pages (0-100), None without words."""
        words = sum(page.words for page in self.pages if page.confidence is not None)
        if not words:
            return None
        return sum(page.confidence * page.words for page in self.pages if page.confidence is not None) / words

    @property
    def text(self) -> str:
        """Return the pages' text joined, a paragraph running over a page break kept whole."""
        return join_pages([page.text for page in self.pages])


@functools.lru_cache(maxsize=8)
def _languages(tesseract: str, tessdata: str | None) -> frozenset:
    done = run_program([tesseract, "--list-langs"], Limits(seconds=30), "liệt kê ngôn ngữ của Tesseract")
    lines = (done.stdout + done.stderr).decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and " " not in line.strip())


def require_tesseract() -> str:
    """Return the Tesseract program, checked to have the Vietnamese model.

    :raise MissingProgram: Tesseract or its Vietnamese data is not installed (names the package)
    """
    tesseract = require_program("tesseract", "tesseract-ocr", "ảnh quét (OCR)")
    if LANGUAGE not in _languages(tesseract, os.environ.get("TESSDATA_PREFIX")):
        raise MissingProgram(
            "Tesseract chưa có dữ liệu nhận dạng tiếng Việt để đọc ảnh quét: hãy cài gói Debian tesseract-ocr-vie"
        )
    return tesseract


def _word_items(tsv: str) -> tuple[list[Item], list[float]]:
    """Return the word boxes of Tesseract's TSV output and the confidences of real words."""
    items, confidences = [], []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = unicodedata.normalize("NFC", (row.get("text") or "").strip())
        if row.get("level") != "5" or not text:
            continue
        confidence = float(row["conf"])
        if confidence < _JUNK_CONFIDENCE and not _ALNUM.search(text):
            continue  # a speck or a stroke of the stamp read as punctuation
        left, top = int(row["left"]), int(row["top"])
        items.append(Item(left, left + int(row["width"]), top, top + int(row["height"]), text))
        if confidence >= 0:
            confidences.append(confidence)
    return items, confidences


def _one_thread() -> dict[str, str]:
    """Return the environment for Tesseract: one thread (OpenMP's spinning threads make it several
    times slower on a busy machine, and a build reads files in parallel anyway)."""
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _read_words(image: str, number: int, limits: Limits) -> tuple[list[Item], list[float]]:
    argv = [require_tesseract(), image, "stdout", "-l", LANGUAGE, "--oem", "1", "--psm", "3",
            "--dpi", str(scanprep.TARGET_DPI), "tsv"]
    done = run_program(argv, limits, _WHAT, env=_one_thread())
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise UnreadableFile(f"{_WHAT} thất bại ở trang {number}: {detail[0][:200]}")
    return _word_items(done.stdout.decode("utf-8", "replace"))


def _doubtful(items: list[Item], confidences: list[float]) -> bool:
    """Tell whether a page may lie sideways or upside down: words read badly, or standing upright."""
    if not confidences or statistics.fmean(confidences) < _DOUBTFUL_CONFIDENCE:
        return True
    long_words = [item for item in items if len(item.text) >= 3]
    standing = sum(1 for item in long_words if item.bottom - item.top > 1.2 * (item.x1 - item.x0))
    return standing > 0.5 * len(long_words)  # Tesseract reads a sideways page as vertical lines


def _orientation(image: str, limits: Limits) -> int:
    """Return how many degrees clockwise Tesseract's orientation detection would turn a page."""
    argv = [require_tesseract(), image, "stdout", "--psm", "0"]
    done = run_program(argv, limits, "nhận biết chiều của trang quét", env=_one_thread())
    found = _ROTATE.search(done.stdout.decode("utf-8", "replace"))
    # Too little text to tell ("Too few characters") ends with an error: the page stays as it is.
    return int(found.group(1)) % 360 if done.returncode == 0 and found else 0


def _turn_file(image: str, clockwise: int) -> None:
    with scanprep.open_image(image) as page:
        turned = scanprep.turn(page, clockwise)
    turned.save(image)


def recognize(image: str, number: int, limits: Limits) -> OcrPage:
    """Read one prepared page image with Tesseract (turned upright first if it lies sideways).

    :raise UnreadableFile: Tesseract failed, or went over a limit
    """
    items, confidences = _read_words(image, number, limits)
    if _doubtful(items, confidences):
        clockwise = _orientation(image, limits)
        if clockwise in (90, 180, 270):
            run_isolated(_turn_file, image, clockwise, limits=limits, what="xoay trang quét")
            turned = _read_words(image, number, limits)
            if not _doubtful(*turned) or sum(turned[1]) > sum(confidences):
                items, confidences = turned
    confidence = statistics.fmean(confidences) if confidences else None
    return OcrPage(number, page_text(items), confidence, len(confidences))


def _prepare_file(source: str, target: str, dpi: float | None, frame: int) -> None:
    """Prepare one page image (runs in the isolated child: Pillow decodes the file there)."""
    with scanprep.open_image(source) as image:
        try:
            image.seek(frame)
            page = scanprep.prepare(image, dpi or scanprep.image_dpi(image))
        except (OSError, SyntaxError, ValueError) as exc:
            raise UnreadableFile(f"ảnh hỏng, không giải mã được ({exc})"[:200]) from None
        page.save(target)


def _frame_count(source: str) -> int:
    with scanprep.open_image(source) as image:
        return getattr(image, "n_frames", 1)


def _read_page(source: str, frame: int, number: int, workdir: str, limits: Limits, dpi=None) -> OcrPage:
    """Prepare frame ``frame`` of an image file in a child, then recognize it as page ``number``."""
    target = os.path.join(workdir, f"page-{number}.pgm")  # uncompressed: quick to write and read
    run_isolated(_prepare_file, source, target, dpi, frame, limits=limits, what="chuẩn bị ảnh quét")
    try:
        return recognize(target, number, limits)
    finally:
        os.unlink(target)


def _result(pages: list[OcrPage], total: int, warnings: list[str]) -> OcrText:
    result = OcrText(pages, total, warnings)
    confidence = result.confidence
    if confidence is not None and confidence < _LOW_CONFIDENCE:
        result.warnings.append(
            f"chữ nhận dạng từ ảnh quét có độ tin cậy thấp ({confidence:.0f}/100): nên đối chiếu với bản gốc"
        )
    return result


def _capped(numbers: list[int], total: int, limits: Limits) -> tuple[list[int], list[str]]:
    if len(numbers) <= limits.pages:
        return numbers, []
    return numbers[:limits.pages], [f"chỉ nhận dạng {limits.pages}/{total} trang đầu (giới hạn trang)"]


def ocr_image_file(path: str, limits: Limits) -> OcrText:
    """Recognize a scanned image (PNG, JPEG, every frame of a TIFF up to ``limits.pages``).

    :raise UnreadableFile: Tesseract or its Vietnamese model missing, a broken or oversized image,
        or a step over the time or memory limit
    """
    require_tesseract()
    total = run_isolated(_frame_count, path, limits=limits, what="mở ảnh quét")
    numbers, warnings = _capped(list(range(1, total + 1)), total, limits)
    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir:
        pages = [_read_page(path, number - 1, number, workdir, limits) for number in numbers]
    return _result(pages, total, warnings)


def _page_sizes(path: str, first: int, last: int, limits: Limits) -> dict[int, tuple[float, float]]:
    pdfinfo = require_program("pdfinfo", "poppler-utils", "trang PDF quét")
    done = run_program([pdfinfo, "-f", str(first), "-l", str(last), path], limits, "đọc kích thước trang PDF")
    found = _PAGE_SIZE.findall(done.stdout.decode("latin-1"))
    return {int(n): (float(w), float(h)) for n, w, h in found}


def _raster_dpi(size: tuple[float, float] | None) -> float:
    """Return 300 dpi, or less for a page so large that 300 dpi would pass the pixel cap."""
    if not size:
        return scanprep.TARGET_DPI
    inches = size[0] / 72 * size[1] / 72
    return min(scanprep.TARGET_DPI, int((scanprep.MAX_PIXELS / max(inches, 1e-6)) ** 0.5))


def ocr_pdf_pages(path: str, page_numbers: list[int], limits: Limits) -> OcrText:
    """Rasterize the given PDF pages (numbered from 1) at 300 dpi in colour and recognize them.

    ``pages_total`` of the result is the number of pages asked for.

    :raise UnreadableFile: a program or the Vietnamese model missing, or a step over a limit
    """
    require_tesseract()
    pdftoppm = require_program("pdftoppm", "poppler-utils", "trang PDF quét")
    numbers, warnings = _capped(sorted(set(page_numbers)), len(set(page_numbers)), limits)
    if not numbers:
        return OcrText([], 0, [])
    sizes = _page_sizes(path, numbers[0], numbers[-1], limits)
    pages = []
    with tempfile.TemporaryDirectory(prefix="ocr-") as workdir:
        for number in numbers:
            dpi = _raster_dpi(sizes.get(number))
            prefix = os.path.join(workdir, "raster")
            argv = [pdftoppm, "-r", str(dpi), "-f", str(number), "-l", str(number), "-singlefile", path, prefix]
            done = run_program(argv, limits, f"chuyển trang {number} của tệp PDF thành ảnh")
            if done.returncode != 0 or not os.path.exists(prefix + ".ppm"):
                detail = done.stderr.decode("utf-8", "replace").strip()[-200:]
                raise UnreadableFile(f"không chuyển được trang {number} của tệp PDF thành ảnh ({detail})")
            pages.append(_read_page(prefix + ".ppm", 0, number, workdir, limits, dpi=dpi))
            os.unlink(prefix + ".ppm")
    return _result(pages, len(numbers), warnings)
