"""Provenance: every extracted value names the span of the stored text it came from and the rule."""

import gzip
import itertools
import json
import os
import re

import pytest
from whoosh import index as whoosh_index

from indexer import legacy
from indexer.extract import _KIND_NAMES
from indexer.extract import extract_metadata
from indexer.notice import load_file
from indexer.notice import load_record
from indexer.provenance import DOUBTS
from indexer.provenance import RULES
from indexer.provenance import SPANLESS_RULES
from indexer.provenance import Stitched
from indexer.provenance import collapsed_offsets
from indexer.provenance import mark_origin
from indexer.provenance import record
from indexer.provenance import rule_label
from indexer.rawtext import Origin
from indexer.refs import ref_key
from indexer.refs import ref_kind
from indexer.store import IndexStore
from indexer.vocab import topic_key
from tests.conftest import BENCH
from tests.conftest import NOTICES
from tests.conftest import SHARED
from tests.conftest import read_seed
from tests.conftest import require_shared
from tests.conftest import seed_names

SEEDS = os.path.join(SHARED, "seeds")
LIST_FIELDS = ("units", "topics", "references")
SCALAR_FIELDS = ("type", "number", "date", "meeting_date", "title", "signer", "signer_title", "chair",
                 "chair_title", "author", "place", "issuer")
# A small formal notice; {date} is the header's date as written.
FORMAL = """TỈNH ỦY BÌNH THUẬN                          ĐẢNG CỘNG SẢN VIỆT NAM
        *
Số 12-TB/TU                          Phan Thiết, {date}

THÔNG BÁO
KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY
tại buổi làm việc với Đảng ủy khối Doanh nghiệp

Ngày 14/5/2008, đồng chí Lê Tiến Phương – Phó Bí thư Thường trực Tỉnh ủy chủ trì buổi làm việc với
Ban Thường vụ Đảng ủy khối Doanh nghiệp về công tác xây dựng tổ chức cơ sở đảng, theo Chỉ thị số 10-CT/TW.
Đề nghị Đảng   ủy khối  Doanh nghiệp triển khai thực hiện./.

Nơi nhận:                            T/L BAN THƯỜNG VỤ
- Đảng ủy khối Doanh nghiệp,         PHÓ CHÁNH VĂN PHÒNG
- Lưu VPTU.                          (đã ký)
                                     {signer}
"""
DATE = "ngày 16 tháng 5 năm 2008"


def _norm(text: str) -> str:
    """The comparison form: case folded, whitespace collapsed (a span may break lines, a value not)."""
    return " ".join(text.casefold().split())


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _written_as(made: dict, written: str, vocab) -> bool:
    """Tell whether ``written`` (the record's span) is, or is the documented source of, its value."""
    field, value, rule = made["field"], made["value"], made["rule"]
    if field in ("date", "meeting_date"):
        year, month, day = map(int, value.split("-"))
        wanted = [day, month] if rule == "lead.meeting_day" else [day, month, year]
        return _numbers(written)[:len(wanted)] == wanted
    if field in ("number", "references") or rule == "number.kind":
        kind = _KIND_NAMES.get(ref_kind(written)) if rule == "number.kind" else None
        return kind == value if rule == "number.kind" else ref_key(written) == ref_key(value)
    if rule == "heading.conclusion":
        return "THÔNG BÁO" in written and "KẾT LUẬN" in written.upper()
    if rule == "title.type":
        return _norm(written).startswith(("thông báo kết luận", "kết luận của thường trực"))
    if field == "topics":
        return topic_key(written).strip() == made["keyword"] and _norm(value) in map(_norm, _topic_names(vocab))
    if field == "units" and "alias" in made:
        return _norm(written) == _norm(made["alias"]) and vocab.canonical_unit(made["alias"]) == value
    if field in ("signer", "chair", "author") and "entry" in made:
        return vocab.canonical_person(written) == value == made["entry"].split(":", 1)[1]
    return _norm(written) == _norm(value)


def _topic_names(vocab) -> list[str]:
    return [topic.name for topic in vocab.topics]


def _check_records(meta, text: str, vocab) -> None:
    """Every record points at a span that holds its value, and every filled field has its records."""
    for made in meta.provenance:
        assert made["rule"].split(":", 1)[0] in RULES, made
        if made["rule"] in SPANLESS_RULES:
            assert "start" not in made, made
            continue
        assert 0 <= made["start"] < made["end"] <= len(text), made
        assert _written_as(made, text[made["start"]:made["end"]], vocab), (made, text[made["start"]:made["end"]])
    for field in SCALAR_FIELDS:
        values = [made["value"] for made in meta.provenance if made["field"] == field]
        assert values == ([getattr(meta, field)] if getattr(meta, field) else []), field
    for field in LIST_FIELDS:
        assert [made["value"] for made in meta.provenance if made["field"] == field] == getattr(meta, field), field


def _expected_seeds() -> dict:
    with open(require_shared(os.path.join(SEEDS, "expected.json")), encoding="utf-8") as f:
        return {name: fields for name, fields in json.load(f).items() if not name.startswith("_")}


def _filled(fields: dict) -> set[str]:
    """The metadata fields an expected.json entry says are filled."""
    names = set()
    for key, value in fields.items():
        base = re.sub(r"_(contains|include)$", "", key)
        if value not in (None, [], ""):
            names.add(base)
    return names


@pytest.mark.parametrize("name", ["000_0e1e5b514ef6e61b.txt", "001_dddd422e47ca07c7.txt",
                                  "003_c27fd48b03f3a55c.txt", "004_abab5fe7c577bb0b.txt"])
def test_shared_seed_spans_hold_their_values(vocab, name):
    expected = _expected_seeds()[name]
    notice = load_file(os.path.join(SEEDS, name), vocab)
    _check_records(notice.meta, notice.text, vocab)
    recorded = {made["field"] for made in notice.meta.provenance}
    assert _filled(expected) <= recorded
    for field in ("units", "topics", "references"):
        values = {_norm(made["value"]) for made in notice.meta.provenance if made["field"] == field}
        for want in expected.get(f"{field}_include", []):
            assert _norm(want) in values
        for want in expected.get(f"{field}_contains", []):
            assert any(_norm(want) in value for value in values)


@pytest.mark.parametrize("name", seed_names())
def test_corpus_notice_spans_hold_their_values(vocab, name):
    notice = load_file(os.path.join(NOTICES, name), vocab)
    _check_records(notice.meta, notice.text, vocab)
    assert {made["field"] for made in notice.meta.provenance} >= {"type", "title", "date", "units", "topics"}


def test_bench_article_spans_hold_their_values(vocab):
    with gzip.open(require_shared(BENCH), "rt", encoding="utf-8") as f:
        for number, line in enumerate(itertools.islice(f, 400)):
            notice = load_record(json.loads(line), vocab, f"bench:{number}")
            _check_records(notice.meta, notice.text, vocab)


def test_spans_of_a_formal_notice_name_their_rules(vocab):
    text = FORMAL.format(date=DATE, signer="Huỳnh Đa Trung")
    meta = extract_metadata("x", text, vocab)
    _check_records(meta, text, vocab)
    by_field = {made["field"]: made for made in meta.provenance}
    spans = {field: text[made["start"]:made["end"]] for field, made in by_field.items()}
    assert spans["number"] == "12-TB/TU" and by_field["number"]["rule"] == "header.number"
    assert spans["date"] == DATE and by_field["date"]["rule"] == "header.date"
    assert spans["place"] == "Phan Thiết" and spans["issuer"] == "TỈNH ỦY BÌNH THUẬN"
    assert spans["signer_title"] == "PHÓ CHÁNH VĂN PHÒNG" and spans["chair"] == "Lê Tiến Phương"
    assert spans["meeting_date"] == "Ngày 14/5/2008" and spans["references"] == "10-CT/TW"
    assert by_field["signer"]["entry"] == "vocab.people:Huỳnh Đa Trung"
    assert not any(made.get("doubtful") for made in meta.provenance)


def test_a_unit_written_with_odd_spaces_points_at_its_first_mention(vocab):
    text = FORMAL.format(date=DATE, signer="Huỳnh Đa Trung").replace(
        "tại buổi làm việc với Đảng ủy khối Doanh nghiệp", "tại buổi làm việc")
    meta = extract_metadata("x", text, vocab)
    unit = next(made for made in meta.provenance if made["value"] == "Đảng ủy khối Doanh nghiệp")
    assert text[unit["start"]:unit["end"]] == "Đảng   ủy khối  Doanh nghiệp"
    assert unit["rule"] == "vocab.units:Đảng ủy khối Doanh nghiệp"


@pytest.mark.parametrize(
    ("text", "field", "rule", "written"),
    [
        ("THÔNG BÁO\n\nVề việc họp\n\nNội dung.", "type", "heading.type", "THÔNG BÁO"),
        ("T H Ô N G   B Á O\n\nVề việc họp\n\nNội dung.", "type", "heading.type", "T H Ô N G   B Á O"),
        ("Thông báo kết luận của Thường trực\n\nNội dung.", "type", "title.type",
         "Thông báo kết luận của Thường trực"),
        ("Hội nghị sơ kết\nNgày: 03.01.2019\nSáng 28.12, tại hội trường, Ban Thường vụ họp.\n\nMinh Hằng",
         "meeting_date", "lead.meeting_day", "Sáng 28.12"),
        ("Hội nghị sơ kết\nNgày: 03.01.2019\nSáng 28.12, tại hội trường, Ban Thường vụ họp.\n\nMinh Hằng",
         "date", "dateline.date", "Ngày: 03.01.2019"),
        ("Hội nghị sơ kết\nNgày: 03.01.2019\nSáng 28.12, tại hội trường, Ban Thường vụ họp.\n\nMinh Hằng",
         "author", "byline.author", "Minh Hằng"),
        ("Hội nghị\n\nHôm qua, sáng 05/6/2014, Ban Thường vụ họp.", "date", "date.meeting", "sáng 05/6/2014"),
    ],
)
def test_derived_values_point_at_their_source(vocab, text, field, rule, written):
    meta = extract_metadata("x", text, vocab)
    made = next(made for made in meta.provenance if made["field"] == field)
    assert (made["rule"], text[made["start"]:made["end"]]) == (rule, written)


def test_news_type_without_any_sign_has_a_spanless_default(vocab):
    meta = extract_metadata("x", "Hội nghị\n\nNội dung ngắn.", vocab)
    assert [made for made in meta.provenance if made["field"] == "type"] == [
        {"field": "type", "value": "Tin bài", "rule": "default.news"}]


def _stored(index_folder, doc_id: str) -> dict:
    ix = whoosh_index.open_dir(IndexStore(str(index_folder)).current_path())
    with ix.searcher() as searcher:
        return searcher.document(id=doc_id)


@pytest.mark.parametrize("name", seed_names())
def test_spans_survive_into_the_index(seed_index, vocab, name):
    stored = _stored(seed_index, name[:-4])
    notice = load_file(os.path.join(NOTICES, name), vocab)
    assert stored["body"] == notice.text
    assert stored["meta"]["provenance"] == notice.meta.provenance
    for made in stored["meta"]["provenance"]:
        if "start" in made:
            assert stored["body"][made["start"]:made["end"]] == notice.text[made["start"]:made["end"]]


def test_public_json_leaves_provenance_out(client):
    data = client.get("/api/doc/004_abab5fe7c577bb0b").get_json()
    assert data["metadata"]["number"] == "503-TB/TU" and "provenance" not in data["metadata"]


def _notice(folder, text: str, sidecar: dict | None = None, name: str = "tb"):
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    if sidecar is not None:
        (folder / f"{name}.meta.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_sidecar_overrides_replace_the_records_of_their_fields(tmp_path, vocab):
    text = read_seed("004_abab5fe7c577bb0b.txt")
    before = load_file(_notice(tmp_path, text, name="before"), vocab).meta.provenance
    sidecar = {"signer": "nguyễn văn  bình", "units": ["Huyện ủy Tuy Phong", "Đảng uỷ khối doanh nghiệp"],
               "chair": None, "date": "16/5/2008"}
    after = load_file(_notice(tmp_path, text, sidecar), vocab).meta.provenance
    assert [m for m in after if m["field"] == "signer"] == [
        {"field": "signer", "value": "Nguyễn Văn Bình", "rule": "sidecar"}]
    assert [m for m in after if m["field"] == "units"] == [
        {"field": "units", "value": "Huyện ủy Tuy Phong", "rule": "sidecar"},
        {"field": "units", "value": "Đảng ủy khối Doanh nghiệp", "rule": "sidecar"}]
    assert [m for m in after if m["field"] == "chair"] == [{"field": "chair", "value": None, "rule": "sidecar"}]
    untouched = [m for m in before if m["field"] not in ("signer", "units", "chair")]
    assert [m for m in after if m["field"] not in ("signer", "units", "chair")] == untouched  # bad date kept


def test_bulk_record_fields_are_marked_given(vocab):
    notice = load_record({"id": "1", "title": "Hội nghị sơ kết", "text": "Ngày: 11.07.2018\nNội dung.",
                          "signer": "lê tấn lai"}, vocab, "bulk.jsonl:1")
    by_field = {made["field"]: made for made in notice.meta.provenance}
    assert by_field["title"] == {"field": "title", "value": "Hội nghị sơ kết", "start": 0, "end": 15,
                                 "rule": "record.title"}
    assert by_field["signer"] == {"field": "signer", "value": "Lê Tấn Lai", "rule": "record"}
    assert notice.text[by_field["date"]["start"]:by_field["date"]["end"]] == "Ngày: 11.07.2018"


@pytest.mark.parametrize(
    ("written", "doubtful"),
    [(DATE, False), ("ngảy 16 thảng 5 nắm 2008", True), ("Ngày 16 Tháng 5 Năm 2008", False),
     ("ngày 16 tháng 5 nắm 2008", True)],
)
def test_a_date_repaired_from_ocr_noise_is_doubtful(vocab, written, doubtful):
    text = FORMAL.format(date=written, signer="Huỳnh Đa Trung")
    meta = extract_metadata("x", text, vocab)
    assert meta.date == "2008-05-16"
    made = next(made for made in meta.provenance if made["field"] == "date")
    assert text[made["start"]:made["end"]] == written
    assert (made.get("doubtful", False), made.get("reason")) == ((True, "date_ocr") if doubtful else (False, None))


def test_a_name_known_only_without_its_marks_is_doubtful(vocab):
    meta = extract_metadata("x", FORMAL.format(date=DATE, signer="Huynh Đa Trung"), vocab)
    made = next(made for made in meta.provenance if made["field"] == "signer")
    assert (made["value"], made["doubtful"], made["reason"]) == ("Huỳnh Đa Trung", True, "name_unmarked")


def test_values_read_from_a_legacy_font_guess_are_doubtful(tmp_path, vocab):
    text = FORMAL.format(date=DATE, signer="Huỳnh Đa Trung")
    path = tmp_path / "vni.txt"
    path.write_bytes(legacy.encode(text, legacy.VNI).encode("cp1252"))
    (tmp_path / "vni.meta.json").write_text(json.dumps({"number": "13-TB/TU"}), encoding="utf-8")
    notice = load_file(str(path), vocab)
    assert notice.origin.encodings == (legacy.VNI,) and notice.meta.signer == "Huỳnh Đa Trung"
    _check_records(notice.meta, notice.text, vocab)
    spanned = [made for made in notice.meta.provenance if "start" in made]
    assert spanned and all(made["reason"] == "legacy_font" for made in spanned)
    assert [m for m in notice.meta.provenance if m["field"] == "number"] == [
        {"field": "number", "value": "13-TB/TU", "rule": "sidecar"}]  # a correction is not a guess


@pytest.mark.parametrize(
    ("origin", "reason"),
    [
        (Origin("png", "ocr", confidence=55.0), "ocr_low_confidence"),
        (Origin("png", "ocr", confidence=91.0), None),
        (Origin("txt", encodings=("Windows-1258",)), None),
        (Origin("docx", encodings=("TCVN3",)), "legacy_font"),
        (None, None),
    ],
)
def test_how_the_text_was_obtained_marks_every_span(origin, reason):
    records = [record("signer", "Lê Tấn Lai", (3, 13), "signature.signer"), record("type", "Tin bài", None,
                                                                                  "default.news")]
    mark_origin(records, origin)
    assert [made.get("reason") for made in records] == [reason, None]


def test_every_rule_and_reason_has_a_vietnamese_label():
    assert all(label and not label.isascii() for label in [*RULES.values(), *DOUBTS.values()])
    assert SPANLESS_RULES <= set(RULES)
    assert rule_label("vocab.units:Huyện ủy Tuy Phong") == f"{RULES['vocab.units']}: «Huyện ủy Tuy Phong»"
    assert rule_label("header.number") == "Dòng «Số:» ở phần đầu"


@pytest.mark.parametrize(
    ("span", "expected"),
    [((0, 2), (10, 12)), ((1, 5), (11, 22)), ((2, 3), None), ((2, 6), (20, 23)), ((0, 6), (10, 23))],
)
def test_stitched_maps_offsets_back_to_the_stored_text(span, expected):
    added = Stitched().add("ab", 10).add("\n").add("cde", 20)
    joined = Stitched.join("\n", ["ab", "cde"], [10, 20])
    assert added.text == joined.text == "ab\ncde"
    assert added.span(*span) == joined.span(*span) == expected  # (2, 3): the separator alone
    assert added.whole() == joined.whole() == added.span(0, len(added.text)) == (10, 23)


def test_stitched_pieces_without_offsets_map_nowhere():
    assert Stitched().add("ab").span(0, 2) is None
    assert Stitched.join(" ", ["ab", "c"], []).span(0, 4) is None
    assert Stitched().add("ab").whole() is Stitched.join(" ", [], []).whole() is None


@pytest.mark.parametrize("text", ["Đảng  ủy   khối", "  a b\n\n c  ", "một hai", "\tx  y\t"])
def test_collapsed_offsets_find_each_character_again(text):
    collapsed = " ".join(text.split())
    back = collapsed_offsets(text)
    for index, char in enumerate(collapsed):
        assert text[back(index)] == char or (char == " " and text[back(index)].isspace())


def test_metadata_dict_carries_the_records_as_json(vocab):
    meta = extract_metadata("x", FORMAL.format(date=DATE, signer="Huỳnh Đa Trung"), vocab)
    assert json.loads(json.dumps(meta.as_dict()))["provenance"] == meta.provenance
