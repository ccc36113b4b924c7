"""The review queue (/quan-tri/): each reason found, filters and counts, "đã kiểm tra" marks, security."""

import json
import random
import re
import shutil

import pytest

from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.vocab import load_vocabulary
from portal.workspace import audit
from portal.workspace import duplicates
from portal.workspace import queue
from portal.workspace import reasons
from portal.workspace.db import get_db
from tests.conftest import CORPUS
from tests.officefiles import TCVN3
from tests.officefiles import write_docx
from tests.workspace_fixtures import HOME
from tests.workspace_fixtures import session_token

MARK = "/quan-tri/da-kiem-tra"
UNMARK = "/quan-tri/bo-danh-dau"
JSON_ACCEPT = {"Accept": "application/json"}
HOSTILE = "<script>alert('hàng chờ')</script> Hội nghị cán bộ chủ chốt"
SIGNED = "004_abab5fe7c577bb0b"  # 503-TB/TU of 16/5/2008: no field missing
NEWS = "001_dddd422e47ca07c7"


# -- constructed metas ------------------------------------------------------------------------

def _conclusion(doc_id: str = "tb-1", **changes) -> dict:
    """A conclusion notice with every field its type expects."""
    meta = {"id": doc_id, "type": "Thông báo kết luận", "number": "503-TB/TU", "date": "2008-05-16",
            "meeting_date": "2008-05-14", "title": "Kết luận của Thường trực Tỉnh ủy về công tác dân vận",
            "signer": "Lê Tấn Lai", "signer_title": "Chánh Văn phòng", "chair": "Dương Văn An",
            "chair_title": "Phó Bí thư Tỉnh ủy", "author": None, "units": ["Huyện ủy Tuy Phong"],
            "topics": ["Dân vận"], "references": [], "place": "Phan Thiết", "issuer": "Tỉnh ủy Bình Thuận",
            "warnings": [], "provenance": [], "path": f"corpus/{doc_id}.txt", "originals": [],
            "origin": {"format": "txt", "method": "text", "encodings": [], "confidence": None}}
    return {**meta, **changes}


def _news(doc_id: str = "tin-1", **changes) -> dict:
    """A news article with every field news is expected to have (no number, signer or chair)."""
    meta = _conclusion(doc_id, type="Tin bài", number=None, meeting_date=None, signer=None, signer_title=None,
                       chair=None, chair_title=None, place=None, issuer=None, author="Thanh Anh",
                       title="Hội nghị sơ kết công tác xây dựng Đảng")
    return {**meta, **changes}


def _ocr(confidence):
    return {"format": "pdf", "method": "ocr", "encodings": [], "confidence": confidence}


@pytest.mark.parametrize("meta, expected", [
    (_conclusion(), []),
    (_conclusion(signer=None, units=[]), ["signer", "units"]),
    (_news(), []),
    (_news(author=None, date=None), ["date", "author"]),
    # A sidecar filled the number: the extraction's old warning stays in the meta, the field is there.
    (_conclusion(warnings=["number: không tìm thấy số hiệu"]), []),
    # An archivist emptied the chair (a sidecar's null): settled, not missing; the title still is.
    (_conclusion(chair=None, chair_title=None, title=None,
                 provenance=[{"field": "chair", "value": None, "rule": "sidecar"}]), ["title", "chair_title"]),
])
def test_missing_fields_depend_on_the_type_of_document(meta, expected):
    assert reasons.missing(meta) == expected


def test_doubtful_values_come_from_provenance_and_warnings():
    meta = _conclusion(
        provenance=[
            {"field": "date", "value": "2008-05-16", "start": 10, "end": 30, "rule": "header.date",
             "doubtful": True, "reason": "date_ocr"},
            {"field": "signer", "value": "Le Tan Lai", "start": 90, "end": 100, "rule": "signature.signer",
             "doubtful": True, "reason": "name_unmarked"},
            {"field": "title", "value": "x", "start": 0, "end": 1, "rule": "layout.title", "doubtful": True,
             "reason": "legacy_font"},  # about the whole text: the legacy reason says it
            {"field": "units", "value": "Huyện ủy Tuy Phong", "start": 5, "end": 9, "rule": "vocab.units"},
        ],
        warnings=["chỉ đọc 20/31 trang đầu (giới hạn trang)", "number: không tìm thấy số hiệu",
                  "đã chuyển chữ ở phông cũ TCVN3 sang Unicode",
                  "chữ nhận dạng từ ảnh quét có độ tin cậy thấp (55/100): nên đối chiếu với bản gốc"])
    assert reasons.doubts(meta) == [
        "Ngày ban hành «2008-05-16»: Chữ «ngày/tháng/năm» bị đọc sai dấu (ảnh quét): ngày được đoán lại",
        "Người ký «Le Tan Lai»: Tên thiếu dấu, chỉ khớp với người trong từ điển khi bỏ dấu",
        "Chỉ đọc 20/31 trang đầu (giới hạn trang)",
    ]
    assert reasons.doubts(_conclusion()) == []


@pytest.mark.parametrize("origin, warnings, expected", [
    ({"format": "docx", "method": "text", "encodings": ["TCVN3"]}, [], ["TCVN3"]),
    ({"format": "pdf", "method": "text", "encodings": ["VNI", "TCVN3"]}, [], ["TCVN3", "VNI"]),
    ({"format": "txt", "method": "text", "encodings": []}, ["đã chuyển chữ ở bảng mã cũ VNI sang Unicode"], ["VNI"]),
    # Windows-1258 is a real code page: nothing was guessed.
    ({"format": "html", "method": "text", "encodings": ["Windows-1258"]}, [], []),
    ({"format": "txt", "method": "text", "encodings": []}, [], []),
])
def test_text_converted_from_a_legacy_font(origin, warnings, expected):
    assert reasons.legacy_encodings(_conclusion(origin=origin, warnings=warnings)) == expected


@pytest.mark.parametrize("origin, threshold, flagged", [
    (_ocr(62.4), 80, "độ tin cậy 62/100 (ngưỡng 80)"),
    (_ocr(91.0), 80, None),
    (_ocr(91.0), 95, "độ tin cậy 91/100 (ngưỡng 95)"),
    (_ocr(None), 80, "không có chữ nào được nhận dạng chắc chắn"),
    ({"format": "pdf", "method": "text", "encodings": [], "confidence": None}, 80, None),
])
def test_ocr_below_the_threshold(origin, threshold, flagged):
    assert reasons.low_ocr_confidence(_conclusion(origin=origin), threshold) == flagged


def test_findings_name_every_reason_in_order():
    meta = _conclusion(signer=None, origin=_ocr(40.0), warnings=["đã chuyển chữ ở phông cũ VNI sang Unicode",
                                                                "bỏ qua trường không biết: ghi_chu"])
    twin = duplicates.Twin("tb-2", "Bản sao", duplicates.SAME_NUMBER_DATE)
    found = reasons.findings(meta, 80, (twin,))
    assert found == (
        reasons.Finding(reasons.MISSING, ("người ký",)),
        reasons.Finding(reasons.DOUBTFUL, ("Bỏ qua trường không biết: ghi_chu",)),
        reasons.Finding(reasons.LEGACY, ("đã chuyển từ VNI sang Unicode",)),
        reasons.Finding(reasons.OCR, ("độ tin cậy 40/100 (ngưỡng 80)",)),
        reasons.Finding(reasons.DUPLICATE, related=(twin,)),
    )
    assert reasons.findings(_conclusion(), 80) == ()


def test_the_version_changes_with_a_value_not_with_where_the_file_is():
    meta = _conclusion()
    assert reasons.version(meta) == reasons.version({**meta, "path": "/elsewhere/tb-1.txt",
                                                  "originals": [{"name": "tb-1.pdf", "size": 9}]})
    assert reasons.version(meta) != reasons.version({**meta, "signer": "Huỳnh Đa Trung"})
    assert reasons.version(meta) != reasons.version({**meta, "provenance": [{"field": "signer", "rule": "sidecar"}]})


# -- duplicates -------------------------------------------------------------------------------

def _twins(metas, fingerprints=None) -> dict:
    notices = [(meta["id"], meta["title"], duplicates.keys(meta)) for meta in metas]
    return {doc_id: [(twin.id, twin.why) for twin in twins]
            for doc_id, twins in duplicates.find(notices, fingerprints).items()}


def test_same_number_and_date_whatever_the_separators():
    metas = [_conclusion("a", number="503-TB/TU"), _conclusion("b", number="503/TB-TU", issuer=None),
             _conclusion("c", number="503-TB/TU", date="2009-01-02", issuer="TỈNH ỦY  BÌNH THUẬN")]
    assert _twins(metas) == {"a": [("b", duplicates.SAME_NUMBER_DATE), ("c", duplicates.SAME_NUMBER_ISSUER)],
                             "b": [("a", duplicates.SAME_NUMBER_DATE)],
                             "c": [("a", duplicates.SAME_NUMBER_ISSUER)]}


def test_same_title_and_date_and_nothing_for_short_titles_or_other_dates():
    metas = [_news("a", title="Hội nghị sơ kết công tác xây dựng Đảng"),
             _news("b", title="Hội nghị  sơ kết công tác xây dựng đảng"),
             _news("c", title="Hội nghị sơ kết công tác xây dựng Đảng", date="2009-01-01"),
             _news("d", title="Tin vắn", date="2010-01-01"), _news("e", title="Tin vắn", date="2010-01-01")]
    assert _twins(metas) == {"a": [("b", duplicates.SAME_TITLE_DATE)], "b": [("a", duplicates.SAME_TITLE_DATE)]}


def test_near_identical_texts():
    sentences = [f"Câu thứ {n} của thông báo nói về công tác xây dựng Đảng ở cơ sở." for n in range(10)]
    text = " ".join(sentences)
    edited = text.replace("Câu thứ 3 của", "Câu số 3 trong").replace("\n", " ")
    other = " ".join(s.replace("thông báo", "bản tin khác") for s in sentences)
    short = "Một câu đủ dài để được tính vào dấu vân tay của văn bản này."
    fingerprints = {"a": duplicates.fingerprint(text), "b": duplicates.fingerprint("  " + edited.upper()),
                    "c": duplicates.fingerprint(other), "d": duplicates.fingerprint(short),
                    "e": duplicates.fingerprint(short)}
    metas = [_news(key, title=f"Tiêu đề riêng của văn bản {key}", date=None) for key in fingerprints]
    assert _twins(metas, fingerprints) == {"a": [("b", duplicates.SAME_TEXT)], "b": [("a", duplicates.SAME_TEXT)]}


def test_a_key_shared_by_many_notices_is_not_a_duplicate():
    metas = [_conclusion(f"n{i}", title=f"Kết luận thứ {i} về công tác dân vận", issuer=None)
             for i in range(duplicates.MAX_GROUP + 1)]
    assert _twins(metas) == {}


# -- the queue over many constructed notices: a brute-force count -------------------------------

YEARS = ("2015", "2016", "2017")
UNITS = ("Huyện ủy Tuy Phong", "Huyện ủy Bắc Bình", "Thành ủy Phan Thiết")


def _collection(seed: int = 7, size: int = 240) -> tuple[list[dict], dict[str, set]]:
    """Notices each given known reasons (the truth the queue must find), a few filed twice."""
    rng = random.Random(seed)
    metas, truth = [], {}
    pairs = ((3, 4), (50, 51), (120, 200))
    for i in range(size):
        given = set()
        make = _news if rng.random() < 0.4 else _conclusion
        date = f"{rng.choice(YEARS)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        meta = make(f"vb-{i:03d}", date=date, number=f"{i + 1}-TB/TU" if make is _conclusion else None,
                    title=f"Văn bản thử nghiệm số {i} về công tác", units=rng.sample(UNITS, rng.randint(0, 2)))
        if not meta["units"]:
            given.add(reasons.MISSING)
        if i not in dict(pairs) and rng.random() < 0.2:  # a news twin is found by its title and date
            meta["date"] = None
            given.add(reasons.MISSING)
        if rng.random() < 0.2:
            meta["provenance"] = [{"field": "title", "value": meta["title"], "start": 0, "end": 9,
                                   "rule": "layout.title", "doubtful": True, "reason": "date_ocr"}]
            given.add(reasons.DOUBTFUL)
        if rng.random() < 0.15:
            meta["origin"] = {"format": "docx", "method": "text", "encodings": ["TCVN3"], "confidence": None}
            given.add(reasons.LEGACY)
        elif rng.random() < 0.2:
            low = rng.random() < 0.5
            meta["origin"] = _ocr(55.0 if low else 93.0)
            given |= {reasons.OCR} if low else set()
        metas.append(meta)
        truth[meta["id"]] = given
    for first, second in pairs:  # the same notice filed twice
        twin = {**metas[first], "id": metas[second]["id"], "path": "corpus/khac.pdf"}
        metas[second] = twin
        truth[twin["id"]] = {*truth[metas[first]["id"]], reasons.DUPLICATE}
        truth[metas[first]["id"]].add(reasons.DUPLICATE)
    return metas, truth


def _brute_force(metas, truth, all_marks, year, unit) -> tuple[dict, list[str], list[str]]:
    counts = dict.fromkeys([*queue.REASONS, queue.REVIEWED, ""], 0)
    queued, reviewed = [], []
    for meta in metas:
        if year and (meta["date"] or "none")[:4] != year or unit and unit not in meta["units"]:
            continue
        found = all_marks.get(meta["id"])
        if found and found.version == reasons.version(meta):
            counts[queue.REVIEWED] += 1
            reviewed.append(meta["id"])
            continue
        state = queue.CHANGED if found else queue.UNREVIEWED
        for reason in {*truth[meta["id"]], state, ""}:
            counts[reason] += 1
        queued.append(meta["id"])
    return counts, queued, sorted(reviewed, key=lambda doc_id: all_marks[doc_id].at, reverse=True)


def _marked(metas, seed: int = 3) -> dict[str, queue.Mark]:
    """Some notices checked as they are, some checked at a version since changed."""
    rng = random.Random(seed)
    all_marks = {}
    for meta in metas:
        roll, at = rng.random(), f"2025-06-16T12:{rng.randrange(60):02d}:{rng.randrange(60):02d}+00:00"
        if roll < 0.25:
            all_marks[meta["id"]] = queue.Mark(reasons.version(meta), "bientap", at)
        elif roll < 0.35:
            all_marks[meta["id"]] = queue.Mark("phien-ban-cu", "bientap", at)
    return all_marks


@pytest.mark.parametrize("year", ["", *YEARS, "none"])
@pytest.mark.parametrize("unit", ["", *UNITS])
def test_counts_match_a_brute_force_count(year, unit):
    metas, truth = _collection()
    all_marks = _marked(metas)
    analysis = queue.analyse(metas, reasons.OCR_CONFIDENCE)
    counts, queued, reviewed = _brute_force(metas, truth, all_marks, year, unit)
    for reason in ["", *queue.REASONS, queue.REVIEWED]:
        filters = queue.Filters(reason=reason, year=year, unit=unit)
        result = queue.page(analysis, queue.Marks.of(all_marks), filters, per_page=1000)
        assert {c["code"]: c["count"] for c in result["counts"]} == {r: counts[r] for r in queue.REASONS}
        assert (result["queued"], result["reviewed"]) == (counts[""], counts[queue.REVIEWED])
        assert result["total"] == counts[reason]
        shown = [row["id"] for row in result["rows"]]
        if reason == queue.REVIEWED:  # the latest marks first
            assert shown == reviewed and [row["mark"]["at"] for row in result["rows"]] == \
                [all_marks[doc_id].at for doc_id in reviewed]
        else:
            assert sorted(shown) == sorted(i for i in queued if not reason or reason in
                                           {*truth[i], queue.CHANGED if i in all_marks else queue.UNREVIEWED})


def test_most_reasons_first_then_newest_fifty_a_page():
    metas, _ = _collection()
    analysis = queue.analyse(metas, reasons.OCR_CONFIDENCE)
    rows = []
    for number in (1, 2, 3, 4, 5):
        result = queue.page(analysis, queue.Marks.of({}), queue.Filters(page=number))
        assert result["pages"] == 5 and result["page"] == number
        assert len(result["rows"]) == (40 if number == 5 else 50)
        rows += result["rows"]
    assert len({row["id"] for row in rows}) == len(metas)
    keys = [(-len(row["reasons"]), row["date"] is None, -int((row["date"] or "0").replace("-", ""))) for row in rows]
    assert keys == sorted(keys)
    assert queue.page(analysis, queue.Marks.of({}), queue.Filters(page=99))["page"] == 5


def test_the_analysis_is_computed_once_per_generation():
    cache, computed = queue.AnalysisCache(), []

    def compute():
        computed.append(1)
        return queue.analyse([_conclusion()], 80)

    first = cache.get(("index", "gen-000001"), compute)
    assert cache.get(("index", "gen-000001"), compute) is first and len(computed) == 1
    assert cache.get(("index", "gen-000002"), compute) is not first and len(computed) == 2


def test_filters_from_a_url_keep_only_what_means_something():
    parsed = queue.Filters.from_args({"reason": "thieu-truong", "year": "2016", "unit": "  Huyện ủy  Bắc Bình ",
                                      "page": "3", "other": "x"})
    assert parsed == queue.Filters("thieu-truong", "2016", "Huyện ủy Bắc Bình", 3)
    assert parsed.args(page=1) == {"reason": "thieu-truong", "year": "2016", "unit": "Huyện ủy Bắc Bình"}
    assert queue.Filters.from_args({"reason": "<x>", "year": "20166", "page": "-2"}) == queue.Filters()
    assert queue.Filters.from_args({"reason": "da-kiem-tra", "year": "none", "page": "0"}) == \
        queue.Filters("da-kiem-tra", "none", "", 1)


def test_a_notice_marked_leaves_the_queue_until_its_metadata_changes(workspace_app):
    meta = _conclusion("tb-9")
    with workspace_app.test_request_context():
        db = get_db()
        analysis = queue.analyse([meta], 80)
        assert queue.page(analysis, queue.marks(db), queue.Filters())["queued"] == 1
        assert queue.mark(db, "bientap", [("tb-9", reasons.version(meta))]) == ["tb-9"]
        assert queue.mark(db, "bientap", [("tb-9", reasons.version(meta))]) == []  # already marked: no new entry
        assert queue.page(analysis, queue.marks(db), queue.Filters())["queued"] == 0
        corrected = queue.analyse([{**meta, "signer": "Huỳnh Đa Trung"}], 80)
        result = queue.page(corrected, queue.marks(db), queue.Filters())
        assert result["queued"] == 1 and result["rows"][0]["reasons"][-1]["code"] == queue.CHANGED
        assert queue.unmark(db, "bientap", ["tb-9", "khong-co"]) == ["tb-9"]
        assert queue.page(analysis, queue.marks(db), queue.Filters())["rows"][0]["reasons"][-1]["code"] == \
            queue.UNREVIEWED
        entries = audit.history(db, "tb-9")
    assert [(e["action"], e["actor"]) for e in entries] == [("review.remove", "bientap"), ("review", "bientap")]
    assert entries[1]["detail"] == {"version": reasons.version(meta)}


# -- the page, on a real index ------------------------------------------------------------------

def _build(corpus) -> None:
    build_index(BuildOptions(index=str(corpus.parent / "index"), corpus=str(corpus / "notices"), vocab=str(corpus)),
                load_vocabulary(str(corpus)))


def _make_corpus(root):
    """The embedded notices, one filed twice, one published again under another title, one typed in
    TCVN3, one with script in its title."""
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    notices = corpus / "notices"
    shutil.copy(notices / f"{SIGNED}.txt", notices / "ban-sao-503.txt")
    article = (notices / f"{NEWS}.txt").read_text(encoding="utf-8").split("\n", 2)[2]
    (notices / "dang-lai.txt").write_text(f"Phát triển đảng viên ở Khối các cơ quan tỉnh\nNgày: 12.07.2018\n{article}",
                                          encoding="utf-8")
    body = ("Sáng 4.3, Ban Dân vận Tỉnh ủy tổ chức hội nghị sơ kết công tác dân vận quý I năm 2019 với sự "
            "tham dự của đại diện các huyện ủy, thị ủy, thành ủy.\n\nHội nghị thống nhất tiếp tục đẩy mạnh "
            "phong trào thi đua Dân vận khéo trong toàn tỉnh.\n\nThanh Anh\n")
    write_docx(str(notices / "phong-cu.docx"), f"Hội nghị sơ kết công tác dân vận năm 2019\nNgày: 05.03.2019\n\n{body}",
               encoding=TCVN3)
    unsigned = body.replace("Thanh Anh\n", "")  # no byline: its author is missing
    (notices / "tieu-de-doc.txt").write_text(f"{HOSTILE}\nNgày: 01.02.2019\n\n{unsigned}", encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def queue_index(tmp_path_factory):
    corpus = _make_corpus(tmp_path_factory.mktemp("hang-cho"))
    _build(corpus)
    return corpus.parent / "index"


@pytest.fixture
def workspace_config(workspace_config, queue_index):
    return {**workspace_config, "INDEX_PATH": str(queue_index)}


def _page(client, **args) -> dict:
    response = client.get(HOME, query_string=args, headers=JSON_ACCEPT)
    assert response.status_code == 200
    return response.get_json()


def _reasons(data: dict) -> dict[str, set]:
    return {row["id"]: {reason["code"] for reason in row["reasons"]} for row in data["rows"]}


def test_the_queue_of_a_real_index_names_each_reason(editor_client):
    data = _page(editor_client)
    found = _reasons(data)
    assert found == {
        "000_0e1e5b514ef6e61b": {reasons.MISSING, queue.UNREVIEWED},
        "003_c27fd48b03f3a55c": {reasons.MISSING, queue.UNREVIEWED},
        NEWS: {reasons.DUPLICATE, queue.UNREVIEWED},
        "dang-lai": {reasons.DUPLICATE, queue.UNREVIEWED},
        SIGNED: {reasons.DUPLICATE, queue.UNREVIEWED},
        "ban-sao-503": {reasons.DUPLICATE, queue.UNREVIEWED},
        "phong-cu": {reasons.LEGACY, queue.UNREVIEWED},
        "tieu-de-doc": {reasons.MISSING, queue.UNREVIEWED},
    }
    rows = {row["id"]: row for row in data["rows"]}
    twins = rows[SIGNED]["reasons"][0]["related"]
    assert [(t["id"], t["why"]) for t in twins] == [("ban-sao-503", duplicates.SAME_NUMBER_DATE)]
    assert [(t["id"], t["why"]) for t in rows[NEWS]["reasons"][0]["related"]] == [("dang-lai", duplicates.SAME_TEXT)]
    missing = rows["000_0e1e5b514ef6e61b"]["reasons"][0]
    assert (missing["notes"], missing["summary"]) == (["số hiệu", "cơ quan ban hành", "địa danh"],
                                                      "số hiệu, cơ quan ban hành, địa danh")
    assert rows["tieu-de-doc"]["reasons"][0]["notes"] == ["tác giả"]
    assert rows["phong-cu"]["reasons"][0] == {"code": reasons.LEGACY, "label": "Chuyển từ phông TCVN3/VNI",
                                              "notes": ["đã chuyển từ TCVN3 sang Unicode"],
                                              "summary": "đã chuyển từ TCVN3 sang Unicode", "related": []}
    assert data["years"] == ["2008", "2014", "2018", "2019"]


def test_the_page_shows_reasons_links_and_escapes_titles(editor_client):
    page = editor_client.get(HOME).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;hàng chờ&#39;)&lt;/script&gt;" in page
    for label in ("Thiếu trường", "Có thể trùng", "Chuyển từ phông TCVN3/VNI", "Chưa kiểm tra"):
        assert label in page
    assert f'href="/quan-tri/van-ban/{SIGNED}"' in page
    assert "<strong>Thiếu trường</strong>: số hiệu, cơ quan ban hành, địa danh" in page
    assert "Số 503-TB/TU · 16/5/2008 · Thông báo kết luận" in page and "mã ban-sao-503)" in page
    assert 'href="/quan-tri/?reason=co-the-trung"' in page
    assert re.search(r'name="notices" value="ban-sao-503:[0-9a-f]{32}"', page)


def test_filters_by_reason_year_and_unit_with_counts(editor_client):
    everything = _page(editor_client)
    duplicated = _page(editor_client, reason=reasons.DUPLICATE)
    assert sorted(_reasons(duplicated)) == [NEWS, SIGNED, "ban-sao-503", "dang-lai"]
    assert duplicated["counts"] == everything["counts"]  # counts follow year and unit, not the reason
    counts = {c["code"]: c["count"] for c in everything["counts"]}
    assert counts == {reasons.MISSING: 3, reasons.DOUBTFUL: 0, reasons.LEGACY: 1, reasons.OCR: 0, reasons.DUPLICATE: 4,
                      queue.CHANGED: 0, queue.UNREVIEWED: 8}
    of_2019 = _page(editor_client, year="2019")
    assert sorted(_reasons(of_2019)) == ["phong-cu", "tieu-de-doc"]
    assert {c["code"]: c["count"] for c in of_2019["counts"]}[reasons.LEGACY] == 1
    unit = everything["units"][0]
    by_unit = _page(editor_client, unit=unit)
    assert sorted(_reasons(by_unit)) == sorted(row["id"] for row in everything["rows"] if unit in row["units"])
    assert by_unit["queued"] == by_unit["total"] < everything["total"]
    assert _page(editor_client, year="1999")["rows"] == []


def _token(client, doc_id: str, **args) -> str:
    page = client.get(HOME, query_string=args).get_data(as_text=True)
    return re.search(rf'name="notices" value="({re.escape(doc_id)}:[0-9a-f]+)"', page).group(1)


def test_marking_one_notice_from_the_page(editor_client, workspace_app):
    token = _token(editor_client, NEWS)
    response = editor_client.post(MARK, data={"csrf_token": session_token(editor_client), "notice": token,
                                              "next": "/quan-tri/?year=2018&marked=9"})
    assert response.status_code == 303 and response.headers["Location"] == "/quan-tri/?year=2018&marked=1"
    assert "Đã đánh dấu 1 văn bản là đã kiểm tra." in editor_client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert NEWS not in _reasons(_page(editor_client))
    reviewed = _page(editor_client, reason=queue.REVIEWED)
    assert [row["id"] for row in reviewed["rows"]] == [NEWS] and reviewed["rows"][0]["mark"]["reviewer"] == "bientap"
    with workspace_app.app_context():
        assert [e["action"] for e in audit.history(get_db(), NEWS)] == ["review"]


def test_bulk_marking_the_ticked_rows_or_the_whole_page(editor_client, workspace_app):
    csrf = session_token(editor_client)
    ticked = [_token(editor_client, "000_0e1e5b514ef6e61b"), _token(editor_client, "003_c27fd48b03f3a55c")]
    response = editor_client.post(MARK, data={"csrf_token": csrf, "scope": "chosen", "notices": ticked,
                                              "shown": [_token(editor_client, NEWS)]})
    assert response.headers["Location"] == "/quan-tri/?marked=2"
    assert _page(editor_client)["queued"] == 6
    page = editor_client.get(HOME, query_string={"year": "2019"}).get_data(as_text=True)
    shown = re.findall(r'name="shown" value="([^"]+)"', page)
    editor_client.post(MARK, data={"csrf_token": csrf, "scope": "page", "shown": shown, "notices": ticked})
    assert sorted(_reasons(_page(editor_client))) == [NEWS, SIGNED, "ban-sao-503", "dang-lai"]
    with workspace_app.app_context():
        assert len(audit.recent(get_db(), filters={"action": "review"})) == 4


def test_a_notice_changed_since_the_page_was_shown_is_not_marked(editor_client):
    stale = f"{NEWS}:{'0' * 32}"
    response = editor_client.post(MARK, json={"notices": [{"id": NEWS, "version": "0" * 32}, {"id": "khong-co"}]},
                                  headers={"X-CSRF-Token": session_token(editor_client), **JSON_ACCEPT})
    assert response.get_json() == {"marked": [], "stale": [NEWS], "unknown": ["khong-co"]}
    form = editor_client.post(MARK, data={"csrf_token": session_token(editor_client), "notice": stale})
    assert form.headers["Location"] == "/quan-tri/?stale=1"
    assert "đã thay đổi sau khi trang được mở" in editor_client.get(form.headers["Location"]).get_data(as_text=True)
    assert NEWS in _reasons(_page(editor_client))


def test_unmarking_brings_a_notice_back(editor_client, workspace_app):
    csrf = session_token(editor_client)
    editor_client.post(MARK, data={"csrf_token": csrf, "notice": _token(editor_client, NEWS)})
    page = editor_client.get(HOME, query_string={"reason": queue.REVIEWED}).get_data(as_text=True)
    assert "Bỏ đánh dấu" in page and f'action="{UNMARK}"' in page
    response = editor_client.post(UNMARK, data={"csrf_token": csrf, "notice": f"{NEWS}:",
                                                "next": "/quan-tri/?reason=da-kiem-tra"})
    assert response.headers["Location"] == "/quan-tri/?reason=da-kiem-tra&unmarked=1"
    assert _reasons(_page(editor_client))[NEWS] == {reasons.DUPLICATE, queue.UNREVIEWED}
    with workspace_app.app_context():
        assert [e["action"] for e in audit.history(get_db(), NEWS)] == ["review.remove", "review"]


def test_marks_need_a_session_a_token_and_something_chosen(workspace_app, editor_client):
    token = _token(editor_client, NEWS)
    anonymous = workspace_app.test_client()
    assert anonymous.post(MARK, data={"notice": token}).status_code == 302
    assert editor_client.post(MARK, data={"notice": token}).status_code == 403
    assert editor_client.post(MARK, data={"notice": token, "csrf_token": "A" * 43}).status_code == 403
    assert editor_client.post(MARK, json={"notices": [{"id": NEWS}]}, headers=JSON_ACCEPT).status_code == 403
    csrf = session_token(editor_client)
    assert editor_client.post(MARK, data={"csrf_token": csrf, "notice": token},
                              headers={"Origin": "https://evil.example"}).status_code == 403
    assert NEWS in _reasons(_page(editor_client))
    nothing = editor_client.post(MARK, data={"csrf_token": csrf})
    assert nothing.status_code == 400 and "Chưa chọn văn bản nào." in nothing.get_data(as_text=True)
    too_many = [{"id": f"x{i}"} for i in range(501)]
    assert editor_client.post(UNMARK, json={"notices": too_many},
                              headers={"X-CSRF-Token": csrf, **JSON_ACCEPT}).status_code == 400


def test_next_cannot_leave_the_workspace(editor_client):
    response = editor_client.post(MARK, data={"csrf_token": session_token(editor_client),
                                              "notice": _token(editor_client, NEWS), "next": "https://evil.example/"})
    assert response.headers["Location"] == "/quan-tri/?marked=1"


def test_a_correction_brings_a_checked_notice_back(tmp_path, workspace_config, make_account):
    from portal import create_app
    from tests.workspace_fixtures import sign_in

    corpus = _make_corpus(tmp_path / "own")
    _build(corpus)
    app = create_app({**workspace_config, "INDEX_PATH": str(corpus.parent / "index")})
    make_account("bientap")
    client = app.test_client()
    sign_in(client, "bientap")
    doc_id = "000_0e1e5b514ef6e61b"
    client.post(MARK, data={"csrf_token": session_token(client), "notice": _token(client, doc_id)})
    assert doc_id not in _reasons(_page(client))
    _build(corpus)  # rebuilt, nothing changed: still checked
    assert doc_id not in _reasons(_page(client))
    sidecar = corpus / "notices" / f"{doc_id}.meta.json"
    sidecar.write_text(json.dumps({"number": "12-TB/TU", "issuer": "Tỉnh ủy Bình Thuận"}), encoding="utf-8")
    _build(corpus)
    row = next(row for row in _page(client)["rows"] if row["id"] == doc_id)
    assert [(r["code"], r["notes"]) for r in row["reasons"]] == [
        (reasons.MISSING, ["địa danh"]), (queue.CHANGED, [row["reasons"][1]["notes"][0]])]
    assert row["reasons"][1]["notes"][0].startswith("bientap đã kiểm tra bản trước lúc ")


def test_without_an_index_the_queue_says_so(tmp_path, workspace_config, make_account):
    from portal import create_app
    from tests.workspace_fixtures import sign_in

    app = create_app({**workspace_config, "INDEX_PATH": str(tmp_path / "khong-co")})
    make_account("bientap")
    client = app.test_client()
    sign_in(client, "bientap")
    page = client.get(HOME)
    assert page.status_code == 200 and "Chưa có chỉ mục nào được lập" in page.get_data(as_text=True)
    response = client.post(MARK, data={"csrf_token": session_token(client), "notice": "a:b"})
    assert response.headers["Location"] == "/quan-tri/?unknown=1"
