import re
import pytest

from portal.highlight import match_spans
from portal.passages import PASSAGE_CHARS
from portal.passages import best_passage
from portal.passages import query_passage
from portal.passages import split
from portal.query import parse_query
from tests.conftest import read_seed
from tests.conftest import seed_names


def _points(text: str) -> list[tuple]:
    """Each section as (number, anchor, its paragraphs' texts)."""
    return [(s.number, s.anchor or s.paragraphs[0].anchor, [text[p.start:p.end] for p in s.paragraphs])
            for s in split(text)]


def _passage(text: str, query: str, skip: int = 0) -> dict | None:
    return query_passage(text, parse_query(query).phrases(), skip)


def _plain(html) -> str:
    return re.sub(r"</?mark>", "", str(html))


@pytest.mark.parametrize(("text", "expected"), [
    ("Mở đầu:\n\n1. Một\n\nthêm\n\n2. Hai", [
        (None, "doan-1", ["Mở đầu:"]),
        ("1", "diem-1", ["1. Một", "thêm"]),
        ("2", "diem-2", ["2. Hai"]),
    ]),
    ("2. Nhiệm vụ:\n2.1- Một\n2.3- Ba\n2.3.1. Con", [
        ("2", "diem-2", ["2. Nhiệm vụ:"]),
        ("2.1", "diem-2-1", ["2.1- Một"]),
        ("2.3", "diem-2-3", ["2.3- Ba"]),
        ("2.3.1", "diem-2-3-1", ["2.3.1. Con"]),
    ]),
    ("I- Đánh giá\nII- Nhiệm vụ\n  1- Một\na) Ý a\nb. Ý b\nđ) Ý đ", [
        ("I", "diem-i", ["I- Đánh giá"]),
        ("II", "diem-ii", ["II- Nhiệm vụ"]),
        ("1", "diem-1", ["  1- Một"]),
        ("a", "diem-a", ["a) Ý a"]),
        ("b", "diem-b", ["b. Ý b"]),
        ("đ", "diem-d", ["đ) Ý đ"]),  # ids stay ASCII
    ]),
])
def test_numbered_points_of_every_style(text, expected):
    assert _points(text) == expected


def test_points_numbered_alike_get_unique_anchors():
    text = "2.2- Một\n2.2- Hai\n2.2.2. Ba\n2.2- Bốn"
    assert [s.anchor for s in split(text)] == ["diem-2-2", "diem-2-2-2", "diem-2-2-2-2", "diem-2-2-3"]
    assert [s.label for s in split(text)] == ["Điểm 2.2", "Điểm 2.2", "Điểm 2.2.2", "Điểm 2.2"]


@pytest.mark.parametrize("line", [
    "2018. Năm bản lề",  # a year
    "1.5 tỷ đồng đã giải ngân",  # a figure
    "17-KL/TU của Tỉnh ủy đã đề ra",  # a cited number
    "- Thường trực Tỉnh ủy;",  # a recipient
    "+ Khảo sát, đánh giá tình hình",
])
def test_what_is_no_point(line):
    assert [s.number for s in split(line)] == [None]


def test_the_closing_formula_ends_the_last_point():
    text = "1. Một\nthêm\nVăn phòng Tỉnh ủy thông báo để thực hiện./.\nNơi nhận:\n1. Sở Nội vụ"
    assert _points(text) == [
        ("1", "diem-1", ["1. Một", "thêm"]),
        (None, "doan-3", ["Văn phòng Tỉnh ủy thông báo để thực hiện./."]),
        (None, "doan-4", ["Nơi nhận:"]),
        (None, "doan-5", ["1. Sở Nội vụ"]),  # after the formula nothing is a conclusion point
    ]


@pytest.mark.parametrize("closing", ["Căn cứ Thông báo này, các đơn vị thực hiện./-", "  NƠI NHẬN:   T/L BAN THƯỜNG VỤ"])
def test_other_closing_formulas(closing):
    assert _points(f"1. Một\nthêm\n{closing}\nsau") == [
        ("1", "diem-1", ["1. Một", "thêm"]), (None, "doan-3", [closing]), (None, "doan-4", ["sau"])]


def test_a_notice_without_points_is_paragraphs():
    text = "Tiêu đề\n\nĐoạn một.\n\n\nĐoạn hai."
    assert _points(text) == [(None, "doan-1", ["Tiêu đề"]), (None, "doan-2", ["Đoạn một."]),
                             (None, "doan-3", ["Đoạn hai."])]


def test_seed_points_as_the_notice_numbers_them():
    sections = [s for s in split(read_seed("000_0e1e5b514ef6e61b.txt")) if s.number]
    assert [s.anchor for s in sections] == ["diem-1", "diem-2", "diem-2-1", "diem-2-2", "diem-2-2-2", "diem-2-3",
                                            "diem-2-4"]
    # 2.4 runs over a page break ("…lựa chọn những vấn / đề sát sườn…"); the closing paragraph is its own.
    assert len(sections[-1].paragraphs) == 2


NOTICE = """TIÊU ĐỀ VỀ DOANH NGHIỆP

Ngày 14/5/2008, đồng chí chủ trì buổi làm việc.

1. Đảng ủy khối doanh nghiệp doanh nghiệp doanh nghiệp lãnh đạo tốt.

2. Phát triển đảng viên trong doanh nghiệp.
Tiếp tục kết nạp đảng viên mới.

3. Phát triển đảng viên trong doanh nghiệp.
"""


def test_the_point_with_most_distinct_words_wins_over_repetition():
    passage = _passage(NOTICE, "doanh nghiệp đảng viên", skip=NOTICE.index("Ngày"))
    assert (passage["label"], passage["anchor"]) == ("Điểm 2", "diem-2")
    # The point's own number is the label; its paragraphs read as one passage.
    assert str(passage["html"]) == ("Phát triển <mark>đảng viên</mark> trong <mark>doanh nghiệp</mark>. "
                                    "Tiếp tục kết nạp <mark>đảng viên</mark> mới.")


def test_more_matches_then_the_earliest_point():
    assert _passage(NOTICE, "doanh nghiệp", skip=NOTICE.index("Ngày"))["anchor"] == "diem-1"
    assert _passage(NOTICE, "phát triển", skip=NOTICE.index("Ngày"))["anchor"] == "diem-2"


def test_words_matched_together_beat_the_same_words_apart():
    text = "1. Chỉ dẫn các vấn đề, vấn đề nhân dân.\n2. Công tác dân vận.\n"
    assert _passage(text, "dan van")["anchor"] == "diem-2"


def test_filler_words_count_last():
    text = "1. Tin mới nhất về đảng viên.\n2. Phát triển đảng viên và tổ chức đảng.\n"
    query = parse_query("phát triển đảng viên mới nhất")
    assert any(p.filler for p in query.phrases())
    assert query_passage(text, query.phrases())["anchor"] == "diem-2"


def test_the_heading_before_the_body_is_never_the_passage():
    assert _passage(NOTICE, "tiêu đề", skip=NOTICE.index("Ngày")) is None
    assert _passage(NOTICE, "tiêu đề")["anchor"] == "doan-1"


def test_no_query_no_passage():
    assert query_passage(NOTICE, []) is None
    assert best_passage(NOTICE, []) is None


def test_a_paragraph_outside_points_has_no_label_and_a_paragraph_anchor():
    passage = _passage(NOTICE, "chủ trì")
    assert (passage["label"], passage["anchor"]) == (None, "doan-2")


def test_a_long_passage_is_trimmed_around_the_matches_at_a_sentence():
    filler = "Câu mở đầu không liên quan gì đến nội dung cần tìm. " * 12
    text = "1. " + filler + "Cần phát huy dân chủ ở cơ sở. " + filler
    passage = _passage(text, "dân chủ")
    html = str(passage["html"])
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>dân chủ</mark>" in html
    assert len(_plain(html)) <= PASSAGE_CHARS + 20
    assert _plain(html)[1:].startswith("Câu mở đầu")  # a whole sentence, not a cut word
    assert passage["label"] == "Điểm 1"


def test_a_news_article_of_one_long_paragraph_gets_the_window_with_most_words():
    text = ("Tin trong nước. " + "Nội dung khác. " * 40 + "Kinh tế tăng. " + "Nội dung khác. " * 40
            + "Kinh tế tư nhân và doanh nghiệp nhỏ. " + "Nội dung khác. " * 40)
    passage = _passage(text, "kinh tế doanh nghiệp")
    assert passage["label"] is None and passage["anchor"] == "doan-1"
    assert "<mark>Kinh tế</mark> tư nhân và <mark>doanh nghiệp</mark>" in str(passage["html"])


def test_the_passage_is_escaped():
    passage = _passage("1. <b>Đảng viên</b> & <script>x</script>", "đảng viên")
    assert str(passage["html"]) == "&lt;b&gt;<mark>Đảng viên</mark>&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"


def test_spans_given_are_the_spans_used():
    phrases = parse_query("doanh nghiệp").phrases()
    spans = match_spans(NOTICE, phrases)
    assert query_passage(NOTICE, phrases, 0, spans) == query_passage(NOTICE, phrases, 0)


# The portal: hits, their JSON and feed twins, and the notice page they open.

def _ids(page: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', page)


@pytest.mark.parametrize("query", ["doanh nghiệp ngoài khu vực Nhà nước", "chi bộ", "thi đua", "dân vận",
                                   "kiểm tra giám sát", "Lê Tấn Lai"])
def test_every_hit_anchor_is_an_id_on_the_notice_page(client, query):
    hits = client.get("/api/search", query_string={"q": query}).get_json()["hits"]
    assert hits
    for hit in hits:
        assert hit["passage"] and hit["anchor"]
        page = client.get(hit["url"]).get_data(as_text=True)
        ids = _ids(page)
        assert hit["anchor"] in ids
        assert len(ids) == len(set(ids))
        assert bool(hit["passage_label"]) == hit["anchor"].startswith("diem-")


def test_hits_name_the_point_they_come_from(client):
    hits = {h["id"]: h for h in client.get("/api/search?q=doanh+nghi%E1%BB%87p+ngo%C3%A0i+khu+v%E1%BB%B1c").get_json()["hits"]}
    assert (hits["003_c27fd48b03f3a55c"]["passage_label"], hits["003_c27fd48b03f3a55c"]["anchor"]) == ("Điểm 2.3",
                                                                                                        "diem-2-3")
    assert hits["003_c27fd48b03f3a55c"]["passage"].startswith("Chú trọng hơn nữa")
    assert (hits["000_0e1e5b514ef6e61b"]["passage_label"], hits["000_0e1e5b514ef6e61b"]["anchor"]) == ("Điểm 2.2",
                                                                                                        "diem-2-2-2")


def test_browsing_keeps_the_snippet_and_has_no_passage(client):
    hits = client.get("/api/search").get_json()["hits"]
    assert hits
    assert all(h["snippet"] and h["passage"] is None and h["anchor"] is None and h["passage_label"] is None
               for h in hits)
    page = client.get("/tim-kiem").get_data(as_text=True)
    assert 'class="snippet"' in page and 'class="passage"' not in page


def test_a_query_found_only_in_the_title_keeps_the_snippet(client):
    hit = client.get("/api/search?q=%22C%E1%BA%A7n+t%E1%BA%ADp+trung+x%C3%A2y+d%E1%BB%B1ng%22").get_json()["hits"][0]
    assert hit["id"] == "001_dddd422e47ca07c7"
    assert hit["passage"] is None and hit["anchor"] is None and hit["snippet"]


def test_results_page_links_the_point_label_to_its_anchor(client):
    page = client.get("/tim-kiem?q=thi+%C4%91ua").get_data(as_text=True)
    assert ('<a class="point-label" href="/van-ban/004_abab5fe7c577bb0b?q=thi+%C4%91ua#diem-2">Điểm 2</a>'
            in page)
    assert '<h3><a href="/van-ban/004_abab5fe7c577bb0b?q=thi+%C4%91ua">' in page  # the title opens the notice


def test_a_paragraph_passage_links_to_its_paragraph(client):
    page = client.get("/tim-kiem?q=Ng%C3%B4+Quang+H%C6%B0%E1%BB%9Fng").get_data(as_text=True)
    link = re.search(r'<a class="to-paragraph" href="([^"]+)">Xem đoạn này', page)
    assert link and re.search(r"/van-ban/001_dddd422e47ca07c7\?q=[^#]+#doan-\d+$", link.group(1))
    assert "point-label" not in page


def test_feed_links_entries_to_the_point_and_summarises_with_the_passage(client):
    feed = client.get("/tim-kiem.atom?q=thi+%C4%91ua").get_data(as_text=True)
    assert '<link rel="alternate" type="text/html" href="http://localhost/van-ban/004_abab5fe7c577bb0b#diem-2"/>' in feed
    assert "<id>http://localhost/van-ban/004_abab5fe7c577bb0b</id>" in feed  # the entry's id stays the notice
    summary = re.search(r'<summary type="html">Điểm 2: (.*?)</summary>', feed).group(1)
    assert "&lt;mark&gt;thi đua&lt;/mark&gt;" in summary


def test_notice_page_wraps_points_and_numbers_paragraphs(client):
    page = client.get("/van-ban/000_0e1e5b514ef6e61b?q=chi+b%E1%BB%99").get_data(as_text=True)
    assert re.search(r'<div class="point" id="diem-2-3">\s*<a class="point-link" href="#diem-2-3"', page)
    assert 'id="doan-1"' in page and 'id="muc-' not in page
    point = re.search(r'<div class="point" id="diem-1">(.*?)</div>', page, re.DOTALL).group(1)
    assert point.count("<p id=\"doan-") == 2 and "<mark>chi bộ</mark>" in point


def test_every_seed_notice_page_has_unique_ids(client):
    points = {}
    for name in seed_names():
        ids = _ids(client.get(f"/van-ban/{name[:-4]}").get_data(as_text=True))
        assert len(ids) == len(set(ids)), name
        points[name[:3]] = sum(i.startswith("diem-") for i in ids)
    assert points == {"000": 7, "001": 0, "003": 7, "004": 9}  # the news item (001) numbers no points
