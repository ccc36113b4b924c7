import pytest

from indexer.refs import canonical_ref
from indexer.refs import find_references
from indexer.refs import ref_key
from indexer.refs import ref_kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("503-TB/TU", "503-TB/TU"),
        ("05-CT/TƯ", "05-CT/TW"),
        ("87/2007-NĐ-CP", "87/2007/NĐ-CP"),
        ("87/2007/NĐ-CP", "87/2007/NĐ-CP"),
        ("12/QĐ-UBND", "12/QĐ-UBND"),
        ("10/CT-TTg", "10/CT-TTg"),
        ("Số 20-KH/TU", "20-KH/TU"),
        ("16/35 đảng ủy", None),
        ("15/9/2018", None),
    ],
)
def test_canonical_ref(text, expected):
    assert canonical_ref(text) == expected


def test_ref_key_ignores_separators_case_and_leading_zeros():
    keys = {ref_key(v) for v in ("503-TB/TU", "503/TB-TU", "503 TB TU", "503 tb tu", "0503-TB/TU")}
    assert keys == {"503 tb tu"}
    assert ref_key("05-CT/TƯ") == ref_key("5-CT/TW")


def test_ref_kind():
    assert [ref_kind(r) for r in ("503-TB/TU", "87/2007/NĐ-CP", "nothing")] == ["TB", "NĐ", None]


def test_find_references_in_order_without_duplicates():
    text = "theo Chỉ thị số 20-CT/TU, Nghị định số 87/2007-NĐ-CP và lại Chỉ thị 20-CT/TU; còn 16/35 chi bộ"
    assert find_references(text) == ["20-CT/TU", "87/2007/NĐ-CP"]
