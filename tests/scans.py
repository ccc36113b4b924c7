"""Scans made from the seeds' PDFs (test files), and how close a text read back is to its seed.

A scan is a PDF rendered at 200 dpi in grey, its last page signed in blue above the signer's name
and stamped in red, slightly rotated, with scanner noise and specks; saved as PNG/JPEG (first
page), multi-page TIFF or image-only PDF. Nothing binary is committed.
"""

import difflib
import importlib.util
import os
import re
import subprocess

from indexer.normalize import normalize_text

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SCAN_DPI = 200
# Seed prefix -> how its scan is stored: every seed is scanned, in the formats offices keep.
SCAN_FORMATS = {"004": ".pdf", "000": ".tif", "003": ".pdf", "001": ".tif"}
SCAN_ANGLES = {"004": 1.0, "000": 0.8, "003": -1.2, "001": 1.1}
_MADE: dict = {}  # one build per session, whichever test module asks first


# ---- measuring -------------------------------------------------------------------------------

_SYLLABLE = re.compile(r"[^\W_]+")


def syllables(text: str) -> list[str]:
    """Return the syllables (letters and digits) of normalized text, capitals kept."""
    return _SYLLABLE.findall(normalize_text(text))


def agreement(text: str, reference: str) -> float:
    """Return the share of syllables two texts have in common, in order (difflib ratio)."""
    matcher = difflib.SequenceMatcher(None, syllables(text), syllables(reference), autojunk=False)
    return matcher.ratio()


def metadata_checks(expected: dict, got: dict) -> list[tuple[str, bool, str]]:
    """Compare extracted metadata with expected.json by the shared checker's own rules."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "tools", "check_metadata.py")
    spec = importlib.util.spec_from_file_location("check_metadata", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.checks(expected, got))


# ---- scans -----------------------------------------------------------------------------------

def render_pages(pdf: str, folder: str, dpi: int = SCAN_DPI) -> list[str]:
    """Render every page of a PDF in grey with pdftoppm; return the PNG paths in page order."""
    prefix = os.path.join(folder, os.path.splitext(os.path.basename(pdf))[0] + "-page")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", pdf, prefix], check=True, timeout=120)
    return sorted((os.path.join(folder, n) for n in os.listdir(folder) if n.startswith(os.path.basename(prefix))),
                  key=lambda p: int(re.search(r"-(\d+)\.png$", p).group(1)))


def find_words(pdf: str, page_index: int, words: str) -> tuple[float, float, float, float] | None:
    """Return the box (x0, top, x1, bottom in points) of the text line holding ``words`` on a page."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextLine

    def lines(container):
        for obj in container:
            if isinstance(obj, LTTextLine):
                yield obj
            elif hasattr(obj, "__iter__"):
                yield from lines(obj)

    page = next(iter(extract_pages(pdf, page_numbers=[page_index])))
    for line in lines(page):
        if words in line.get_text():
            return line.x0, page.height - line.y1, line.x1, page.height - line.y0
    return None


def _stamp(draw, centre: tuple[int, int], radius: int) -> None:
    from PIL import ImageFont

    red = (215, 35, 40)
    x, y = centre
    for r, width in ((radius, 7), (radius - 16, 3)):
        draw.ellipse((x - r, y - r, x + r, y + r), outline=red, width=width)
    font = ImageFont.truetype(SANS, radius // 5)
    for dy, text in ((-radius // 3, "TỈNH ỦY"), (0, "★"), (radius // 3, "VĂN PHÒNG")):
        draw.text((x, y + dy), text, fill=red, font=font, anchor="mm")


def _signature(draw, box: tuple[int, int, int, int], rng) -> None:
    x0, y0, x1, y1 = box
    xs = [x0 + (x1 - x0) * i / 23 for i in range(24)]
    points = [(int(x), int(y0 + (y1 - y0) * (0.5 + 0.45 * rng.uniform(-1, 1)))) for x in xs]
    draw.line(points, fill=(30, 60, 190), width=4, joint="curve")


def sign_and_stamp(image, signer_box: tuple[float, float, float, float], dpi: int, rng):
    """Sign a page above the signer's name in blue and stamp it in red, as the paper original."""
    from PIL import ImageChops
    from PIL import ImageDraw

    scale = dpi / 72
    x0, top, x1, bottom = (v * scale for v in signer_box)
    line = bottom - top
    bg = image.convert("RGB")
    overlay = bg.copy()
    overlay.paste((255, 255, 255), (0, 0) + bg.size)
    draw = ImageDraw.Draw(overlay)
    _signature(draw, (int(x0), int(top - 3.2 * line), int(x1 + line), int(top - 0.6 * line)), rng)
    radius = int(1.6 / 2.54 * dpi)  # a 3.2 cm stamp
    _stamp(draw, (int(x0 - 0.2 * radius), int(top - 2.2 * line)), radius)
    return ImageChops.darker(bg, overlay)


def age(image, angle: float, rng):
    """Rotate a page slightly (white corners) and add scanner noise and specks."""
    import numpy
    from PIL import Image

    image = image.convert("RGB").rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    values = numpy.asarray(image, dtype=numpy.float64)
    values += rng.normal(0, 7, values.shape[:2])[..., None]
    specks = rng.random(values.shape[:2]) < 0.0004
    values[specks] = 40
    return Image.fromarray(numpy.clip(values, 0, 255).astype(numpy.uint8))


def make_scan(pdf: str, folder: str, signer: str | None, angle: float, seed: int = 1) -> list:
    """Return the pages of a PDF as aged 200 dpi scans (PIL images), the last signed and stamped."""
    import numpy
    from PIL import Image

    rng = numpy.random.default_rng(seed)
    paths = render_pages(pdf, folder)
    pages = [Image.open(p) for p in paths]
    if signer:
        box = find_words(pdf, len(pages) - 1, signer)
        assert box, f"{signer} not found on the last page of {pdf}"
        pages[-1] = sign_and_stamp(pages[-1], box, SCAN_DPI, rng)
    return [age(page, angle * (1 if i % 2 else -1), rng) for i, page in enumerate(pages)]


def save_scan(pages: list, path: str) -> str:
    """Save scanned pages as a PNG/JPEG (first page), a multi-page TIFF or an image-only PDF."""
    kind = os.path.splitext(path)[1].lower()
    dpi = (SCAN_DPI, SCAN_DPI)
    if kind == ".pdf":
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=SCAN_DPI)
    elif kind in (".tif", ".tiff"):
        pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=dpi)
    elif kind in (".jpg", ".jpeg"):
        pages[0].save(path, quality=85, dpi=dpi)
    else:
        pages[0].save(path, dpi=dpi)
    return path


# ---- session fixtures ------------------------------------------------------------------------

def signer_line(text: str) -> str | None:
    """Return the signature's last line (the signer's name) of a notice with recipients, else None."""
    if "Nơi nhận" not in text:
        return None
    return next(line.strip() for line in reversed(text.split("\n")) if line.strip())


def seed_scans(folder: str, seeds: dict[str, str], pdfs: dict) -> dict[str, str]:
    """Scan every seed's Unicode PDF (stamped, signed, aged) into its format: ``{name: path}``.

    Also ``"png"`` and ``"jpeg"``: the first page of seed 004 alone, as a photo or a quick scan.
    """
    if "scans" in _MADE:
        return _MADE["scans"]
    made = {}
    for name, text in seeds.items():
        stem = name[:3]
        pages = make_scan(pdfs[(name, "unicode")], folder, signer_line(text), SCAN_ANGLES[stem], seed=int(stem) + 1)
        made[name] = save_scan(pages, os.path.join(folder, f"{stem}-scan{SCAN_FORMATS[stem]}"))
        if stem == "004":
            made["png"] = save_scan(pages, os.path.join(folder, "004-page1.png"))
            made["jpeg"] = save_scan(pages, os.path.join(folder, "004-page1.jpg"))
            made["last page"] = save_scan(pages[-1:], os.path.join(folder, "004-last-page.pdf"))
    _MADE["scans"] = made
    return made


def mixed_pdf(path: str, typed: str, scanned_last: str) -> str:
    """Write a PDF of a typed notice whose last page is the signed paper, scanned."""
    from pypdf import PdfReader
    from pypdf import PdfWriter

    writer = PdfWriter()
    typed_pages = PdfReader(typed).pages
    for page in typed_pages[:-1]:
        writer.add_page(page)
    writer.add_page(PdfReader(scanned_last).pages[0])
    with open(path, "wb") as f:
        writer.write(f)
    return path


def png_header(width: int, height: int) -> bytes:
    """Return a PNG whose header announces ``width`` x ``height`` pixels (no pixel data)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
