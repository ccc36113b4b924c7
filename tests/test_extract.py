import unicodedata

import pytest

from indexer import dates
from indexer import people
from indexer.extract import extract_metadata
from indexer.layout import columns
from indexer.notice import load_file
from indexer.notice import load_record
from indexer.truecase import Truecaser
from tests.conftest import read_seed
from tests.conftest import seed_names
from tests.variants import variants

TONES = "\u0300\u0301\u0303\u0309\u0323"


def norm(text):
    """SPEC's comparison form: NFC, lower case, one tone-mark style, whitespace collapsed."""
    if text is None:
        return None
    out = []
    for word in unicodedata.normalize("NFD", str(text)).lower().split():
        tones = [c for c in word if c in TONES]
        base = "".join(c for c in word if c not in TONES)
        out.append(unicodedata.normalize("NFC", base + "".join(tones)))
    return " ".join(out)


def assert_matches(expected: dict, got: dict) -> None:
    """Check every expected field by SPEC's rules (scalars equal, *_contains substrings, lists included)."""
    for key in ("type", "signer", "chair", "author", "place", "issuer", "number"):
        if key in expected:
            assert norm(got.get(key) or None) == norm(expected[key]), key
    for key in ("date", "meeting_date"):
        if key in expected:
            assert got.get(key) == expected[key], key
    for key in ("signer_title", "chair_title"):
        if key + "_contains" in expected:
            assert norm(expected[key + "_contains"]) in norm(got.get(key) or ""), key
    for want in expected.get("title_contains", []):
        assert norm(want) in norm(got["title"]), "title"
    for want in expected.get("units_contains", []):
        assert any(norm(want) in norm(u) for u in got["units"]), ("units", want, got["units"])
    assert {norm(t) for t in expected.get("topics_include", [])} <= {norm(t) for t in got["topics"]}
    assert set(expected.get("references_include", [])) <= set(got["references"])


@pytest.mark.parametrize("variant", sorted(variants("x")))
@pytest.mark.parametrize("name", seed_names())
def test_every_field_on_every_layout_and_stored_variant(tmp_path, vocab, expected, name, variant):
    data = variants(read_seed(name))[variant]
    path = tmp_path / name.replace(".txt", ".html" if variant == "html" else ".txt")
    path.write_bytes(data)
    got = load_file(str(path), vocab).as_dict()
    assert got["id"] == name[:-4]
    assert_matches(expected[name], got)


def test_missing_fields_are_named_in_warnings(vocab):
    meta = extract_metadata("x", "THÔNG BÁO\n\nKẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY\n\nNội dung ngắn.", vocab)
    fields = {w.split(":")[0] for w in meta.warnings}
    assert {"number", "date", "signer", "chair", "units"} <= fields
    assert all("không tìm thấy" in w for w in meta.warnings)


def test_news_layout_fields(vocab):
    text = "Hội nghị sơ kết\nNgày: 03.01.2019\nSáng 28.12, tại hội trường, Đảng ủy Khối các cơ quan tỉnh tổ chức.\n\nMinh Hằng\nSố lần đọc: 12"
    meta = extract_metadata("n", text, vocab)
    assert (meta.type, meta.title, meta.date, meta.author) == ("Tin bài", "Hội nghị sơ kết", "2019-01-03", "Minh Hằng")
    assert meta.meeting_date == "2018-12-28"  # the session came before the new year's dateline
    assert meta.units == ["Đảng ủy Khối các cơ quan tỉnh"]


def test_bulk_record_keeps_given_fields_and_extracts_the_rest(vocab):
    notice = load_record(
        {"id": "a/b 1", "title": "Tin", "text": "Ngày: 11.07.2018\nNội dung.", "signer": "lê  tấn lai", "color": "x"},
        vocab, "bulk.jsonl:1",
    )
    assert notice.meta.id == "a-b-1"
    assert (notice.meta.title, notice.meta.date, notice.meta.signer) == ("Tin", "2018-07-11", "Lê Tấn Lai")
    assert any("color" in w for w in notice.meta.warnings)


def test_bulk_record_without_text_is_refused(vocab):
    with pytest.raises(ValueError, match="thiếu"):
        load_record({"id": "1", "title": "x"}, vocab, "bulk.jsonl:1")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Số 503-TB/TU                    Phan Thiết, ngày 16  tháng 5 năm 2008",
         ["Số 503-TB/TU", "Phan Thiết, ngày 16  tháng 5 năm 2008"]),
        ("- Thường trực Tỉnh uỷ;", ["- Thường trực Tỉnh uỷ;"]),
        ("        Huỳnh Đa Trung", ["Huỳnh Đa Trung"]),
    ],
)
def test_columns(line, expected):
    assert columns(line) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Phan Thiết, ngày 16  tháng 5 năm 2008"], ("2008-05-16", "Phan Thiết")),
        (["Hà Nội, ngày 31 tháng 2 năm 2020"], (None, "Hà Nội")),  # not a real date
        (["ngày 1 tháng 10 năm 2019"], ("2019-10-01", None)),
        (["Không có ngày"], (None, None)),
    ],
)
def test_find_issue_date(lines, expected):
    assert dates.find_issue_date(lines) == expected


@pytest.mark.parametrize(
    ("paragraph", "context", "expected"),
    [
        ("Ngày 05/6/2014, đồng chí An làm việc", None, "2014-06-05"),
        ("Sáng 10.7, tại hội trường", "2018-07-11", "2018-07-10"),
        ("Chiều ngày 3-4-2015, Ban Thường vụ họp", None, "2015-04-03"),
        ("Sáng 10.7, tại hội trường", None, None),
    ],
)
def test_find_meeting_date(paragraph, context, expected):
    assert dates.find_meeting_date(paragraph, context) == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Ngày 05/6/2014, đồng chí Dương Văn An – Phó Bí thư Tỉnh ủy có buổi làm việc với X.",
         ("Dương Văn An", "Phó Bí thư Tỉnh ủy")),
        ("Đồng chí Ngô Quang Hưởng, Tỉnh ủy viên, Bí thư Đảng ủy Khối chủ trì (ảnh).",
         ("Ngô Quang Hưởng", "Tỉnh ủy viên, Bí thư Đảng ủy Khối")),
        ("Sau khi nghe báo cáo, đồng chí Phó Bí thư Tỉnh ủy đã kết luận:", (None, None)),
    ],
)
def test_find_chair(paragraph, expected):
    assert people.find_chair([paragraph]) == expected


def test_find_signer_reads_interleaved_signature_block():
    block = ["T/L BAN THƯỜNG VỤ", "PHÓ CHÁNH VĂN PHÒNG", "(đã ký và đóng dấu)", "Huỳnh Đa Trung"]
    assert people.find_signer(block, Truecaser("")) == ("Huỳnh Đa Trung", "Phó Chánh Văn phòng")
    assert people.find_signer(["CHÁNH VĂN PHÒNG", "LÊ TẤN LAI"], Truecaser("")) == ("Lê Tấn Lai", "Chánh Văn phòng")
    assert people.find_signer(["(đã ký)"], Truecaser("")) == (None, None)


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["Nội dung.", "Thanh Anh", "Số lần đọc:704"], "Thanh Anh"),
        (["Nội dung.", "Minh Hằng (TTXVN)"], "Minh Hằng"),
        (["Nội dung kết thúc bằng một câu."], None),
    ],
)
def test_find_author(paragraphs, expected):
    assert people.find_author(paragraphs) == expected


def test_truecaser_learns_from_the_body():
    casing = Truecaser("làm việc với Thường trực Huyện ủy Tuy Phong và Đảng ủy khối Doanh nghiệp")
    assert casing.apply("KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY") == "Kết luận của Thường trực Tỉnh ủy"
    assert casing.apply("ĐẢNG ỦY KHỐI DOANH NGHIỆP") == "Đảng ủy khối Doanh nghiệp"
    assert casing.apply("Already cased") == "Already cased"
