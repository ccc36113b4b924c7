"""OCR of scans: every seed printed, signed, stamped and scanned, then read back; refusals and limits."""

import os
import shutil
import subprocess

import numpy
import pytest

from PIL import Image
from PIL import ImageDraw

from indexer import scanprep
from indexer.extract import extract_metadata
from indexer.layout import columns
from indexer.layout import split_layout
from indexer.limits import LimitExceeded
from indexer.limits import Limits
from indexer.limits import MissingProgram
from indexer.normalize import normalize_text
from indexer.ocr import ocr_image_file
from indexer.ocr import ocr_pdf_pages
from indexer.pdftext import read_pdf
from indexer.rawtext import UnreadableFile
from tests import officefiles
from tests import scans
from tests.conftest import read_seed
from tests.conftest import seed_names

SEED_004 = "004_abab5fe7c577bb0b.txt"
HEADER_FIELDS = ("type", "number", "date", "place", "issuer", "title")


def _need_ocr():
    for program, package in (("tesseract", "tesseract-ocr"), ("pdftoppm", "poppler-utils"), ("soffice", "libreoffice-writer-nogui")):
        if not shutil.which(program):
            pytest.skip(f"{program} is not installed: Debian package {package}")


@pytest.fixture(scope="session")
def scanned(tmp_path_factory):
    _need_ocr()
    seeds = {name: read_seed(name) for name in seed_names()}
    pdfs = officefiles.seed_pdfs(str(tmp_path_factory.mktemp("pdfs")), seeds)
    return pdfs, scans.seed_scans(str(tmp_path_factory.mktemp("scans")), seeds, pdfs)


def _ocr(path: str, limits: Limits = Limits()):
    if path.endswith(".pdf"):
        pages = read_pdf(path, limits)
        assert pages.missing == list(range(1, pages.pages_total + 1)), "a scan has no text layer"
        return ocr_pdf_pages(path, pages.missing, limits)
    return ocr_image_file(path, limits)


@pytest.fixture(scope="session")
def recognized(scanned):
    """Each scan read once: ``{key: OcrText}``."""
    _, paths = scanned
    return {key: _ocr(path) for key, path in paths.items() if key != "last page"}


def _metadata(vocab, name: str, text: str) -> dict:
    text = normalize_text(text)
    return extract_metadata(name[:-4], text, vocab, split_layout(text)).as_dict()


@pytest.mark.slow
@pytest.mark.parametrize("name", seed_names())
def test_scan_reads_as_the_seed(recognized, scanned, name):
    result = recognized[name]
    assert len(result.pages) == result.pages_total >= 2
    assert result.confidence > 85
    assert scans.agreement(result.text, read_seed(name)) >= 0.97


@pytest.mark.slow
@pytest.mark.parametrize("name", seed_names())
def test_metadata_from_scan(expected, vocab, recognized, name):
    checks = scans.metadata_checks(expected[name], _metadata(vocab, name, recognized[name].text))
    # A mark lost under the stamp (seed 004's signer read "Huynh") is mended by the people vocabulary.
    assert [check for check in checks if not check[1]] == []


@pytest.mark.slow
@pytest.mark.parametrize("key", ["png", "jpeg"])
def test_single_page_photo_keeps_the_header_columns(expected, vocab, recognized, key):
    result = recognized[key]
    assert (len(result.pages), result.pages_total) == (1, 1)
    lines = result.text.split("\n")
    assert columns(lines[0]) == ["TỈNH ỦY BÌNH THUẬN", "ĐẢNG CỘNG SẢN VIỆT NAM"]
    meta = _metadata(vocab, SEED_004, result.text)
    header = [check for check in scans.metadata_checks(expected[SEED_004], meta) if check[0] in HEADER_FIELDS]
    assert [check for check in header if not check[1]] == []


@pytest.mark.slow
@pytest.mark.parametrize("clockwise", [90, 180])
def test_page_scanned_sideways_or_upside_down_is_turned(scanned, tmp_path, clockwise):
    path = str(tmp_path / "turned.png")
    with Image.open(scanned[1]["png"]) as page:
        page.rotate(-clockwise, expand=True).save(path)
    result = ocr_image_file(path, Limits())
    assert columns(result.text.split("\n")[0]) == ["TỈNH ỦY BÌNH THUẬN", "ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert result.confidence > 85 and result.warnings == []


@pytest.mark.slow
def test_scanners_text_layer_is_kept_in_vietnamese_and_replaced_otherwise(scanned, tmp_path):
    """A scanner's searchable PDF: its invisible OCR layer is used only when it reads as Vietnamese."""
    pdfs, paths = scanned
    reference = read_pdf(pdfs[(SEED_004, "unicode")], Limits()).pages[0]
    for language, usable in (("eng", False), ("vie", True)):
        base = str(tmp_path / language)
        subprocess.run(["tesseract", paths["png"], base, "-l", language, "pdf"], check=True, capture_output=True,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"}, timeout=120)
        layer = read_pdf(base + ".pdf", Limits())
        assert layer.missing == ([] if usable else [1]), language
        if usable:
            assert scans.agreement(layer.pages[0], reference) >= 0.97


@pytest.mark.slow
def test_typed_pdf_with_a_scanned_signature_page(scanned, tmp_path):
    """The dispatcher's case: text layer for the typed pages, OCR for the signed page only."""
    pdfs, paths = scanned
    path = scans.mixed_pdf(str(tmp_path / "mixed.pdf"), pdfs[(SEED_004, "unicode")], paths["last page"])
    layer = read_pdf(path, Limits())
    assert layer.missing == [4] and all(layer.pages[:3])
    ocr = ocr_pdf_pages(path, layer.missing, Limits())
    assert [page.number for page in ocr.pages] == [4]
    assert "PHÓ CHÁNH VĂN PHÒNG" in ocr.pages[0].text
    assert "Đa Trung" in ocr.pages[0].text.split("\n")[-1]


@pytest.mark.slow
def test_page_cap_on_a_multi_page_tiff(tmp_path):
    _need_ocr()
    path = str(tmp_path / "three.tif")
    frames = [Image.new("L", (600, 800), 255) for _ in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(72, 72))
    result = ocr_image_file(path, Limits(pages=2))
    assert (len(result.pages), result.pages_total) == (2, 3)
    assert result.warnings == ["chỉ nhận dạng 2/3 trang đầu (giới hạn trang)"]
    assert result.confidence is None and result.text == ""


@pytest.mark.parametrize(
    ("size", "reason"),
    [((12000, 9000), "ảnh quá lớn (12000×9000 điểm ảnh"), ((100000, 100000), "ảnh quá lớn")],
)
def test_image_bomb_is_refused_before_decoding(tmp_path, size, reason):
    _need_ocr()
    path = tmp_path / "bomb.png"
    path.write_bytes(scans.png_header(*size))
    with pytest.raises(UnreadableFile) as caught:
        ocr_image_file(str(path), Limits())
    assert str(caught.value).startswith(reason)


def test_not_an_image_is_refused(tmp_path):
    _need_ocr()
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"\xff\xd8\xff" + os.urandom(3000))
    with pytest.raises(UnreadableFile, match="ảnh"):
        ocr_image_file(str(path), Limits())


def test_time_limit_stops_ocr(tmp_path):
    _need_ocr()
    path = str(tmp_path / "page.png")
    _text_page().save(path)
    with pytest.raises(LimitExceeded, match="quá thời gian"):
        ocr_image_file(path, Limits(seconds=0.05))


def test_missing_tesseract_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingProgram, match="tesseract-ocr"):
        ocr_image_file(str(tmp_path / "x.png"), Limits())


def test_missing_vietnamese_model_names_the_package(tmp_path, monkeypatch):
    _need_ocr()
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a data folder without vie.traineddata
    with pytest.raises(MissingProgram, match="tesseract-ocr-vie"):
        ocr_image_file(str(tmp_path / "x.png"), Limits())


# ---- preparing a page ----------------------------------------------------------------------------

def _text_page(angle: float = 0.0) -> Image.Image:
    """A white page with rows of black bars standing for lines of text, rotated by ``angle``."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for row in range(30):
        top = 150 + row * 45
        for word in range(12):
            left = 120 + word * 85
            draw.rectangle((left, top, left + 60, top + 22), fill="black")
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")


@pytest.mark.parametrize("angle", [-3.0, -1.0, 0.0, 1.2, 4.0])
def test_skew_angle_is_found(angle):
    grey = scanprep.drop_ink(_text_page(angle))
    assert scanprep.skew_angle(grey) == pytest.approx(-angle, abs=0.2)


def test_drop_ink_keeps_black_and_fades_stamps_and_signatures():
    colours = [(0, 0, 0), (60, 25, 25), (215, 35, 40), (240, 160, 160), (30, 60, 190), (255, 255, 255)]
    image = Image.new("RGB", (len(colours), 1))
    image.putdata(colours)
    black, tinted, red, pink, blue, white = numpy.asarray(scanprep.drop_ink(image))[0]
    assert black == 0 and tinted < 100  # text, and text under a stamp
    assert min(red, pink, blue, white) >= 250


def test_prepare_enlarges_a_200_dpi_scan_to_300_dpi():
    page = _text_page().resize((826, 1169))  # A4 at about 100 dpi
    assert scanprep.prepare(page, 100).size == (2478, 3507)
    assert scanprep.image_dpi(page) == pytest.approx(826 / 8.27, rel=0.01)
