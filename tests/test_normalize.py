import unicodedata

import pytest

from indexer.normalize import fold_accents
from indexer.normalize import has_diacritics
from indexer.normalize import match_key
from indexer.normalize import normalize_line
from indexer.normalize import normalize_text
from indexer.normalize import normalize_tone_style


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tỉnh uỷ", "Tỉnh ủy"),
        ("hoà bình", "hòa bình"),
        ("HOÀ", "HÒA"),
        ("khoẻ", "khỏe"),
        ("Thuỵ", "Thụy"),
        ("quý", "quý"),  # qu + y: the mark stays on y
        ("quỳ", "quỳ"),
        ("hoàn", "hoàn"),  # a closed syllable is written one way in both styles
        ("Huỳnh", "Huỳnh"),
        ("ngoài", "ngoài"),
        ("Tỉnh ủy", "Tỉnh ủy"),
    ],
)
def test_tone_style_is_the_old_style(text, expected):
    assert normalize_tone_style(text) == expected


def test_normalize_line_joins_nfd_styles_and_spacing():
    nfd = unicodedata.normalize("NFD", "Đảng  uỷ khối\u00a0Doanh nghiệp ")
    assert normalize_line(nfd) == "Đảng ủy khối Doanh nghiệp"
    assert match_key(nfd) == match_key("ĐẢNG ỦY KHỐI DOANH NGHIỆP")


def test_normalize_text_keeps_lines_and_columns():
    raw = "\ufeffA\r\nB     C  \r\n\r\n\r\n\r\nD\u200b\tE\x07"
    assert normalize_text(raw) == "A\nB     C\n\nD    E"


def test_eth_lookalike_becomes_d_bar():
    assert normalize_line("\u00d0ảng") == "Đảng"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Đảng ủy", "Dang uy"), ("Nguyễn Thị Ưng", "Nguyen Thi Ung"), ("abc 123", "abc 123")],
)
def test_fold_accents(text, expected):
    assert fold_accents(text) == expected
    assert len(fold_accents(text)) == len(text)


def test_has_diacritics():
    assert has_diacritics("đảng")
    assert not has_diacritics("dang vien")
