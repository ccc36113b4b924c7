"""Header fields from text shaped the way OCR (or a narrow PDF layout) leaves a formal notice."""

import pytest

from indexer import dates
from indexer.extract import extract_metadata
from indexer.layout import header_columns
from indexer.layout import split_layout
from indexer.normalize import normalize_text
from tests.conftest import read_seed

SEED = "004_abab5fe7c577bb0b.txt"
ISSUER = "TỈNH ỦY BÌNH THUẬN                                     ĐẢNG CỘNG SẢN VIỆT NAM"
NUMBER_AND_DATE = "     Số 503-TB/TU                                             Phan Thiết, ngày 16  tháng 5 năm 2008"


def reshaped(issuer: str, number_and_date: str) -> str:
    """Seed 004 with its two header rows replaced (each argument may span several lines)."""
    text = read_seed(SEED)
    assert ISSUER in text and NUMBER_AND_DATE in text
    return text.replace(ISSUER, issuer).replace(NUMBER_AND_DATE, number_and_date)


SHAPES = {
    "date wrapped under the right column": (ISSUER, "Số 503-TB/TU     Phan Thiết, ngày 16 tháng 5\n      năm 2008"),
    "date wrapped, star beside the year": (ISSUER, "Số 503-TB/TU     Phan Thiết, ngày 16 tháng 5\n*     năm 2008"),
    "column gap lost": ("TỈNH ỦY BÌNH THUẬN ĐẢNG CỘNG SẢN VIỆT NAM", "Số 503-TB/TU Phan Thiết, ngày 16 tháng 5 năm 2008"),
    "no comma after the place": (ISSUER, "Số 503-TB/TU       Phan Thiết ngày 16 tháng 5 năm 2008"),
    "spaces lost and doubled": (ISSUER, "Số 503-TB/TU       Phan Thiết,  ngày16  tháng  5 năm2008"),
    "tones misread": (ISSUER, "Số 503-TB/TU       Phan Thiết, ngảy 16 thảng 5 nắm 2008"),
    "gap lost and date wrapped": (ISSUER, "Số 503-TB/TU Phan Thiết, ngày 16 tháng 5\nnăm 2008"),
}
HEADINGS = ["T H Ô N G   B Á O", "T H Ô N G B Á O", "THÔNG BÁO", "THÔNG      BÁO"]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_header_fields_survive_ocr_shapes(vocab, shape):
    text = normalize_text(reshaped(*SHAPES[shape]))
    meta = extract_metadata("x", text, vocab, split_layout(text))
    assert (meta.number, meta.date, meta.place, meta.issuer) == ("503-TB/TU", "2008-05-16", "Phan Thiết", "Tỉnh ủy Bình Thuận")
    assert meta.type == "Thông báo kết luận"
    assert meta.meeting_date == "2008-05-14"


@pytest.mark.parametrize("heading", HEADINGS)
def test_letter_spaced_heading(vocab, heading):
    text = normalize_text(read_seed(SEED).replace("\nTHÔNG BÁO\n", f"\n{heading}\n"))
    layout = split_layout(text)
    assert layout.heading == "THÔNG BÁO"
    assert extract_metadata("x", text, vocab, layout).type == "Thông báo kết luận"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("TỈNH ỦY BÌNH THUẬN ĐẢNG CỘNG SẢN VIỆT NAM", ["TỈNH ỦY BÌNH THUẬN", "ĐẢNG CỘNG SẢN VIỆT NAM"]),
        ("Số 503-TB/TU Phan Thiết, ngày 16 tháng 5", ["Số 503-TB/TU", "Phan Thiết, ngày 16 tháng 5"]),
        ("Số 12-TB/TU ngày 3 tháng 4 năm 2010", ["Số 12-TB/TU", "ngày 3 tháng 4 năm 2010"]),
        ("Số 503-TB/TU      Phan Thiết, ngày 16 tháng 5", ["Số 503-TB/TU", "Phan Thiết, ngày 16 tháng 5"]),
        ("ĐẢNG CỘNG SẢN VIỆT NAM", ["ĐẢNG CỘNG SẢN VIỆT NAM"]),
        ("năm 2008", ["năm 2008"]),
    ],
)
def test_header_columns(line, expected):
    assert header_columns(line) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Phan Thiết, ngày 16 tháng 5", "năm 2008"], ("2008-05-16", "Phan Thiết")),
        (["Phan Thiết, ngày 16", "tháng 5 năm 2008"], ("2008-05-16", "Phan Thiết")),
        (["Phan Thiết ngày 16 tháng 5 năm 2008"], ("2008-05-16", "Phan Thiết")),
        (["Số 503-TB/TU Phan Thiết ngày 16 tháng 5 năm 2008"], ("2008-05-16", "Phan Thiết")),
        (["Thành phố Hồ Chí Minh, ngày 2 tháng 3 năm 2010"], ("2010-03-02", "Hồ Chí Minh")),
        (["HÀ NỘI, ngày 2 tháng 3 năm 2010"], ("2010-03-02", "HÀ NỘI")),
        (["Phan Thiết, ngày 16 tháng 5", "Nội dung khác", "chưa có năm"], (None, None)),
        (["tổ chức vào ngày 12 tháng 3"], (None, None)),
    ],
)
def test_find_issue_date_ocr_shapes(lines, expected):
    assert dates.find_issue_date(lines) == expected
