"""Prepare a scanned page for OCR: drop stamp and signature ink, grey, about 300 dpi, upright.

Stamps are red and signatures red or blue; printed text is black. A coloured pixel is lightened
to its brightest channel and then by how coloured it is, so the ink of a stamp fades to white
while black text under it stays dark.
"""

import warnings

import numpy

from PIL import Image
from PIL import ImageFilter
from PIL import UnidentifiedImageError

from indexer.rawtext import UnreadableFile

TARGET_DPI = 300
# Pillow's own bomb threshold: an image this large is refused before it is decoded.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS
_MIN_DPI = 50
_MAX_DPI = 1200
_A4_SHORT_INCHES = 8.27
_COLOURED = 40  # max - min channel spread that marks a pixel as coloured ink
_MAX_SKEW = 5.0
_DESKEW_WIDTH = 800


class ImageTooLarge(UnreadableFile):
    """An image over the pixel cap (a decompression bomb, or simply too big to read)."""


def open_image(path: str) -> Image.Image:
    """Open an image lazily, refusing one whose size alone is over the pixel cap.

    :raise ImageTooLarge: the header announces more pixels than MAX_PIXELS
    :raise UnreadableFile: not an image Pillow knows, or a broken one
    """
    try:
        with warnings.catch_warnings():
            # Checked just below, against our own cap, with a reason a reader understands.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError:
        raise ImageTooLarge("ảnh quá lớn (vượt quá giới hạn điểm ảnh), có thể là tệp độc hại") from None
    except UnidentifiedImageError:
        raise UnreadableFile("không nhận ra định dạng ảnh (tệp hỏng hoặc không phải ảnh)") from None
    check_size(image.size)
    return image


def check_size(size: tuple[int, int]) -> None:
    """Refuse an image over the pixel cap, with the reason."""
    width, height = size
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(
            f"ảnh quá lớn ({width}×{height} điểm ảnh, giới hạn {MAX_PIXELS / 1e6:.0f} triệu điểm ảnh)"
        )


def image_dpi(image: Image.Image) -> float:
    """Return the resolution an image declares, else a guess from its size (an A4 page)."""
    dpi = image.info.get("dpi")
    if dpi and _MIN_DPI <= float(dpi[0]) <= _MAX_DPI:
        return float(dpi[0])
    return max(_MIN_DPI, min(image.size) / _A4_SHORT_INCHES)


def _flatten(image: Image.Image) -> Image.Image:
    """Return an 8-bit image without transparency (16-bit scans scaled, alpha laid on white)."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = numpy.asarray(image, dtype=numpy.float64)
        scale = 255.0 / max(float(values.max()), 1.0)
        image = Image.fromarray((values * scale).astype(numpy.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return image


def drop_ink(image: Image.Image) -> Image.Image:
    """Return a grey image in which red and blue ink is lightened away and black text kept."""
    image = _flatten(image)
    if image.mode in ("1", "L"):
        return image.convert("L")
    rgb = numpy.asarray(image.convert("RGB"))
    high = rgb.max(axis=2)
    spread = high - rgb.min(axis=2)
    # Stamp ink keeps its own channel high (red ink: red); black text under a stamp, tinted by the
    # scanner's colour bleeding, keeps every channel low and stays dark.
    faded = numpy.minimum(high.astype(numpy.uint16) + spread // 2, 255).astype(numpy.uint8)
    grey = numpy.asarray(image.convert("L"))
    return Image.fromarray(numpy.where(spread > _COLOURED, faded, grey), "L")


def otsu_threshold(grey: numpy.ndarray) -> int:
    """Return the grey level that best splits ink from paper (Otsu's method)."""
    histogram = numpy.bincount(grey.ravel(), minlength=256).astype(numpy.float64)
    levels = numpy.arange(256)
    weight = numpy.cumsum(histogram)
    total = weight[-1]
    mean = numpy.cumsum(histogram * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / numpy.maximum(weight * (total - weight), 1e-9)
    return int(numpy.argmax(between))


def _profile_score(ink: Image.Image, angle: float) -> float:
    rows = numpy.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0), dtype=numpy.float64)
    profile = rows.sum(axis=1)
    return float(numpy.square(numpy.diff(profile)).sum())


def skew_angle(grey: Image.Image) -> float:
    """Estimate the rotation (degrees, within ±5) that makes text lines horizontal.

    Rotated upright, the rows of a page alternate sharply between ink and paper: the angle whose
    horizontal projection profile changes most from row to row wins.
    """
    scale = min(1.0, _DESKEW_WIDTH / grey.width)
    small = grey.resize((max(1, int(grey.width * scale)), max(1, int(grey.height * scale))), Image.Resampling.BOX)
    values = numpy.asarray(small)
    ink = Image.fromarray(numpy.where(values < otsu_threshold(values), 255, 0).astype(numpy.uint8))
    coarse = numpy.arange(-_MAX_SKEW, _MAX_SKEW + 0.01, 0.5)
    best = max(coarse, key=lambda a: _profile_score(ink, a))
    fine = numpy.arange(best - 0.5, best + 0.51, 0.1)
    return float(max(fine, key=lambda a: _profile_score(ink, a)))


def prepare(image: Image.Image, dpi: float, binarize: bool = False) -> Image.Image:
    """Return a page ready for Tesseract: ink dropped, grey, about 300 dpi, specks removed, deskewed."""
    check_size(image.size)
    grey = drop_ink(image)
    factor = TARGET_DPI / dpi
    room = (MAX_PIXELS / (grey.width * grey.height)) ** 0.5
    factor = min(factor, room)
    if factor > 1.15:  # a 200 dpi scan reads better enlarged
        size = (round(grey.width * factor), round(grey.height * factor))
        grey = grey.resize(size, Image.Resampling.LANCZOS)
    # Specks read as the dots of Vietnamese marks (the dot below of "ự", "ộ"): a 3x3 median
    # removes them and keeps the marks, which are larger at 300 dpi.
    grey = straighten(grey.filter(ImageFilter.MedianFilter(3)))
    if binarize:
        values = numpy.asarray(grey)
        grey = Image.fromarray(numpy.where(values < otsu_threshold(values), 0, 255).astype(numpy.uint8))
    return grey


def straighten(grey: Image.Image) -> Image.Image:
    """Rotate a grey page by its estimated skew (white corners), if it has one worth correcting."""
    angle = skew_angle(grey)
    if abs(angle) < 0.1:
        return grey
    return grey.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


def turn(grey: Image.Image, clockwise: int) -> Image.Image:
    """Turn a page scanned sideways or upside down (a multiple of 90 degrees), then straighten it."""
    return straighten(grey.rotate(-clockwise, expand=True))
