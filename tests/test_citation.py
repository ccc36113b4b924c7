"""“Sao chép trích dẫn”: the Vietnamese citation of a notice, on its page, on every hit and in the JSON."""

import pytest
from selectolax.lexbor import LexborHTMLParser

from portal.citation import cite
from portal.citation import subject_of
from portal.citation import vn_date

SEED = "004_abab5fe7c577bb0b"
SEED_CITATION = ("Thông báo số 503-TB/TU, ngày 16/5/2008 của Tỉnh ủy Bình Thuận về ý kiến kết luận của "
                 "Thường trực Tỉnh ủy tại buổi làm việc với Đảng ủy khối Doanh nghiệp")
NEWS_CITATION = ("Bài “Cần tập trung xây dựng tổ chức đảng và phát triển đảng viên” của tác giả Thanh Anh, "
                 "ngày 11/7/2018")
FULL = {"type": "Thông báo kết luận", "number": "503-TB/TU", "date": "2008-05-16", "issuer": "Tỉnh ủy Bình Thuận",
        "title": "Kết luận của Thường trực Tỉnh ủy tại buổi làm việc với Đảng ủy khối Doanh nghiệp"}
SUBJECT = "kết luận của Thường trực Tỉnh ủy tại buổi làm việc với Đảng ủy khối Doanh nghiệp"


def _without(*keys) -> dict:
    return {key: value for key, value in FULL.items() if key not in keys}


@pytest.mark.parametrize("meta, citation", [
    (FULL, f"Thông báo số 503-TB/TU, ngày 16/5/2008 của Tỉnh ủy Bình Thuận về {SUBJECT}"),
    (_without("number"), f"Thông báo ngày 16/5/2008 của Tỉnh ủy Bình Thuận về {SUBJECT}"),
    (_without("date"), f"Thông báo số 503-TB/TU của Tỉnh ủy Bình Thuận về {SUBJECT}"),
    (_without("issuer"), f"Thông báo số 503-TB/TU, ngày 16/5/2008 về {SUBJECT}"),
    (_without("title"), "Thông báo số 503-TB/TU, ngày 16/5/2008 của Tỉnh ủy Bình Thuận"),
    (_without("number", "issuer"), f"Thông báo ngày 16/5/2008 về {SUBJECT}"),
    (_without("number", "date", "issuer"), f"Thông báo về {SUBJECT}"),
    (_without("type"), f"Văn bản số 503-TB/TU, ngày 16/5/2008 của Tỉnh ủy Bình Thuận về {SUBJECT}"),
    ({}, "Văn bản"),
    # Empty, blank or malformed values are missing values, not parts to print.
    ({**FULL, "number": "", "issuer": "  ", "date": "2008-05"}, f"Thông báo về {SUBJECT}"),
    ({**FULL, "number": None, "date": None, "issuer": None, "title": None}, "Thông báo"),
    # Other types are cited under their own name, and a title repeating it loses it.
    ({"type": "Nghị quyết", "number": "05-NQ/TU", "date": "2019-01-02", "title": "Nghị quyết về công tác cán bộ"},
     "Nghị quyết số 05-NQ/TU, ngày 2/1/2019 về công tác cán bộ"),
    ({"type": "Thông báo kết luận", "title": "Thông báo kết luận của Ban Thường vụ Tỉnh ủy", "date": "2020-12-31"},
     "Thông báo ngày 31/12/2020 về kết luận của Ban Thường vụ Tỉnh ủy"),
    # Stored values are cited as stored, whitespace collapsed.
    ({**FULL, "issuer": "Tỉnh  ủy\nBình Thuận"},
     f"Thông báo số 503-TB/TU, ngày 16/5/2008 của Tỉnh ủy Bình Thuận về {SUBJECT}"),
])
def test_citation_leaves_out_missing_parts(meta, citation):
    assert cite(meta) == citation


@pytest.mark.parametrize("meta, citation", [
    ({"type": "Tin bài", "title": "Cần tập trung xây dựng tổ chức đảng", "author": "Thanh Anh", "date": "2018-07-11"},
     "Bài “Cần tập trung xây dựng tổ chức đảng” của tác giả Thanh Anh, ngày 11/7/2018"),
    ({"type": "Tin bài", "title": "Cần tập trung xây dựng tổ chức đảng.", "date": "2018-07-11"},
     "Bài “Cần tập trung xây dựng tổ chức đảng”, ngày 11/7/2018"),
    ({"type": "Tin bài", "title": "Cần tập trung xây dựng tổ chức đảng"}, "Bài “Cần tập trung xây dựng tổ chức đảng”"),
    ({"type": "Tin bài", "author": "Thanh Anh", "date": "2018-07-11"}, "Bài của tác giả Thanh Anh, ngày 11/7/2018"),
    ({"type": "Tin bài", "date": "2018-07-11"}, "Bài ngày 11/7/2018"),
    # A news item is an article whatever number or issuer extraction found: they are not the article's.
    ({"type": "tin bài", "title": "Hội nghị", "number": "12", "issuer": "Báo Bình Thuận"}, "Bài “Hội nghị”"),
])
def test_news_items_are_cited_as_articles(meta, citation):
    assert cite(meta) == citation


@pytest.mark.parametrize("title, subject", [
    ("Kết luận của Thường trực Tỉnh ủy", "kết luận của Thường trực Tỉnh ủy"),
    ("Ý kiến kết luận của Thường trực Tỉnh ủy.", "ý kiến kết luận của Thường trực Tỉnh ủy"),
    ("Thông báo kết luận của Thường trực Tỉnh ủy", "kết luận của Thường trực Tỉnh ủy"),
    ("Thông báo: Kết luận của Thường trực Tỉnh ủy", "kết luận của Thường trực Tỉnh ủy"),
    ("THÔNG BÁO kết luận của Thường trực Tỉnh ủy", "kết luận của Thường trực Tỉnh ủy"),
    ("V/v tổ chức hội nghị", "tổ chức hội nghị"),
    ("V/v: tổ chức hội nghị", "tổ chức hội nghị"),
    ("Về việc tổ chức hội nghị", "tổ chức hội nghị"),
    ("Về công tác cán bộ", "công tác cán bộ"),
    ("Thông báo về việc Tổ chức hội nghị", "tổ chức hội nghị"),
    ("Thông báo", ""),
    ("", ""),
    # Names keep their capital letter.
    ("Thường trực Tỉnh ủy làm việc với Huyện ủy Tuy Phong", "Thường trực Tỉnh ủy làm việc với Huyện ủy Tuy Phong"),
    ("Ban Tổ chức Tỉnh ủy báo cáo", "Ban Tổ chức Tỉnh ủy báo cáo"),
    ("Nghị quyết Trung ương 4 khóa XII", "Nghị quyết Trung ương 4 khóa XII"),
    ("Tỉnh ủy làm việc với các huyện", "Tỉnh ủy làm việc với các huyện"),
    ("Tỉnh uỷ làm việc với các huyện", "Tỉnh uỷ làm việc với các huyện"),
    ("Đảng ủy khối Doanh nghiệp sơ kết", "Đảng ủy khối Doanh nghiệp sơ kết"),
    ("Ủy ban nhân dân tỉnh báo cáo", "Ủy ban nhân dân tỉnh báo cáo"),
    ("UBND tỉnh báo cáo", "UBND tỉnh báo cáo"),
    ("6 tháng đầu năm", "6 tháng đầu năm"),
    # Common words do not.
    ("Đảng viên ở doanh nghiệp", "đảng viên ở doanh nghiệp"),
    ("Tình hình, kết quả công tác dân vận", "tình hình, kết quả công tác dân vận"),
    ("Học tập và làm theo tấm gương Hồ Chí Minh", "học tập và làm theo tấm gương Hồ Chí Minh"),
])
def test_subject_from_the_title(title, subject):
    assert subject_of(title, "Thông báo") == subject


@pytest.mark.parametrize("value, text", [
    ("2008-05-16", "16/5/2008"), ("2014-10-21", "21/10/2014"), ("2018-01-01", "1/1/2018"),
    ("", ""), (None, ""), ("2008-05", ""), ("16/5/2008", ""), (20080516, ""),
])
def test_dates_are_written_without_leading_zeros(value, text):
    assert vn_date(value) == text


def test_seed_citations_in_the_notice_json(client):
    assert client.get(f"/api/doc/{SEED}").get_json()["citation"] == SEED_CITATION
    assert client.get("/api/doc/001_dddd422e47ca07c7").get_json()["citation"] == NEWS_CITATION
    # No number and no issuer in the text: the citation has neither.
    assert client.get("/api/doc/000_0e1e5b514ef6e61b").get_json()["citation"].startswith(
        "Thông báo ngày 5/6/2014 về kết luận của Thường trực Tỉnh ủy tại buổi làm việc với Thường trực Huyện ủy "
        "Tuy Phong về tình hình")


def test_notice_page_shows_the_citation_and_its_button(client):
    tree = LexborHTMLParser(client.get(f"/van-ban/{SEED}?q=doanh+nghiep").get_data(as_text=True))
    citation = tree.css_first("article .citation")
    # Readable without JavaScript, whatever the search highlighted in the text.
    assert citation.css_first(".citation-text").text() == SEED_CITATION
    button = citation.css_first("button.copy-citation")
    assert button.text() == "Sao chép trích dẫn" and "hidden" in button.attributes  # shown by the script


def test_every_hit_has_its_citation_in_html_and_json(client):
    data = client.get("/api/search?q=thuong+truc").get_json()
    tree = LexborHTMLParser(client.get("/tim-kiem?q=thuong+truc").get_data(as_text=True))
    hits = tree.css("li.hit")
    assert len(hits) == data["total"] == 4
    assert [hit.css_first(".citation .citation-text").text() for hit in hits] == [h["citation"] for h in data["hits"]]
    assert all(hit.css_first(".citation button.copy-citation").text() == "Sao chép trích dẫn" for hit in hits)
    assert {SEED_CITATION, NEWS_CITATION} <= {h["citation"] for h in data["hits"]}


def test_citation_text_is_escaped(client, tmp_path, vocab):
    from indexer.build import BuildOptions
    from indexer.build import build_index
    from portal import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("THÔNG BÁO\n\nKẾT LUẬN\n\nNgày 05/6/2014, đồng chí An làm việc.\n", encoding="utf-8")
    (corpus / "a.meta.json").write_text('{"title": "<b>x</b> & “y”", "issuer": "<i>Tỉnh ủy</i>"}', encoding="utf-8")
    build_index(BuildOptions(index=str(tmp_path / "ix"), corpus=str(corpus), procs=1), vocab)
    hostile = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "ix")}).test_client()
    page = hostile.get("/van-ban/a").get_data(as_text=True)
    assert "<b>x</b>" not in page and "<i>Tỉnh ủy</i>" not in page
    text = LexborHTMLParser(page).css_first("article .citation-text").text()
    assert text == hostile.get("/api/doc/a").get_json()["citation"]
    assert "của <i>Tỉnh ủy</i> về <b>x</b> & “y”" in text
