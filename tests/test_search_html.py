import re
import xml.etree.ElementTree as ET

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"


def _text(response):
    return response.get_data(as_text=True)


def test_results_page_shows_hits_facets_and_highlights(client):
    page = _text(client.get("/tim-kiem?q=tuy+phong"))
    # Typed without diacritics, "tuy phong" also matches "tùy" and "phòng": the adjacent pair ranks first.
    assert "<strong>3</strong> văn bản" in page
    assert re.search(r'<h3><a href="/van-ban/([^"?]+)', page).group(1) == "000_0e1e5b514ef6e61b"
    assert "<mark>Tuy Phong</mark>" in page
    assert 'rel="canonical" href="http://localhost/tim-kiem?q=tuy+phong"' in page
    assert 'rel="alternate" type="application/json" href="/api/search?q=tuy+phong"' in page
    assert "Người ký" in page and "Lê Tấn Lai" in page
    assert '<meta property="og:title" content="Tìm kiếm “tuy phong”">' in page


def test_query_without_diacritics_finds_accented_text_and_suggests_them(client):
    page = _text(client.get("/tim-kiem?q=dang+vien"))
    assert "<strong>4</strong> văn bản" in page
    assert "Có phải bạn muốn tìm" in page and "đảng viên" in page


def test_number_query_finds_that_notice_first(client):
    for typed in ("503-TB/TU", "503/TB-TU", "503 TB TU"):
        page = _text(client.get("/tim-kiem", query_string={"q": typed}))
        first = re.search(r'<h3><a href="/van-ban/([^"?]+)', page)
        assert first and first.group(1) == "004_abab5fe7c577bb0b", typed


@pytest.mark.parametrize(
    ("given", "location"),
    [("/tim-kiem?q=&year=2014", "/tim-kiem?year=2014"),
     ("/tim-kiem?year=2014&q=x", "/tim-kiem?q=x&year=2014"),
     ("/tim-kiem?q=x&page=1", "/tim-kiem?q=x"),
     ("/tim-kiem.atom?sort=moi-nhat", "/tim-kiem.atom"),
     ("/api/search?q=&unit=", "/api/search")],
)
def test_other_forms_redirect_to_the_canonical_url(client, given, location):
    response = client.get(given)
    assert response.status_code == 301
    assert response.headers["Location"] == location


def test_facet_links_toggle_and_chips_remove(client):
    page = _text(client.get("/tim-kiem?year=2014"))
    assert 'href="/tim-kiem"' in page  # the chip and the selected year both lead back to all
    assert "href=\"/tim-kiem?year=2008&amp;year=2014\"" in page  # adding a second year (OR)
    assert "đang chọn" in page


def test_empty_results_suggest_what_to_loosen(client):
    page = _text(client.get("/tim-kiem?q=kh%C3%B4ng+c%C3%B3+g%C3%AC+c%E1%BA%A3&year=2014"))
    assert "Không tìm thấy văn bản nào" in page
    assert "Bỏ mọi bộ lọc" in page and "Bỏ từ khóa" in page


@pytest.mark.parametrize("query", ['"', "((", "-", "OR", "signer:", "a" * 5000, "<script>alert(1)</script>", "\x00"])
def test_any_query_gives_a_page(client, query):
    response = client.get("/tim-kiem", query_string={"q": query}, follow_redirects=True)
    assert response.status_code == 200
    assert "<script>alert" not in _text(response)


def test_pagination_and_sort_by_date(client):
    page = _text(client.get("/tim-kiem?sort=cu-nhat"))
    ids = re.findall(r'<h3><a href="/van-ban/([^"?]+)', page)
    assert ids == ["004_abab5fe7c577bb0b", "000_0e1e5b514ef6e61b", "003_c27fd48b03f3a55c", "001_dddd422e47ca07c7"]
    assert client.get("/tim-kiem?page=2").status_code == 200


def test_atom_feed_is_valid_and_newest_first(client):
    response = client.get("/tim-kiem.atom?q=%C4%91%E1%BA%A3ng")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert len(entries) == 4 and dates == sorted(dates, reverse=True)
    assert all(e.find(f"{ATOM}link").get("href").startswith("http://localhost/van-ban/") for e in entries)
    assert "<mark>" in entries[0].find(f"{ATOM}summary").text


def test_opensearch_description(client):
    response = client.get("/opensearch.xml")
    root = ET.fromstring(response.data)
    templates = [u.get("template") for u in root.findall("{http://a9.com/-/spec/opensearch/1.1/}Url")]
    assert "http://localhost/tim-kiem?q={searchTerms}" in templates
    assert 'rel="search"' in _text(client.get("/"))


def test_csv_export_has_every_result_and_defuses_formulas(client):
    response = client.get("/tim-kiem.csv")
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,url,ngày")
    assert len(lines) == 5
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_formula_cells_are_made_plain_text():
    from portal.views.search import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell(["@a", "b"]) == "'@a; b"
    assert _cell(None) == ""


def test_notice_page(client):
    page = _text(client.get("/van-ban/004_abab5fe7c577bb0b?q=doanh+nghiep"))
    assert "<mark>doanh nghiệp</mark>" in page
    assert 'id="diem-1"' in page and 'id="diem-ii"' in page  # numbered points are anchors
    assert 'href="/tim-kiem?q=20-CT/TU"' in page or "q=20-CT%2FTU" in page  # a cited number not in the corpus
    assert 'rel="canonical" href="http://localhost/van-ban/004_abab5fe7c577bb0b"' in page
    assert "Về kết quả tìm kiếm" in page
    assert '<meta property="og:description" content="Thông báo kết luận · số 503-TB/TU · ngày 16/5/2008' in page


def test_numbered_point_anchors_are_unique(client):
    page = _text(client.get("/van-ban/000_0e1e5b514ef6e61b"))
    assert page.count('id="diem-2-2"') == 1 and 'id="diem-2-2-2"' in page  # the seed numbers "2.2-" twice


def test_notice_page_offers_previous_and_next_within_the_search(client):
    page = _text(client.get("/van-ban/000_0e1e5b514ef6e61b?sort=cu-nhat"))
    assert "Văn bản 2/4" in page
    assert 'rel="prev" href="/van-ban/004_abab5fe7c577bb0b?sort=cu-nhat"' in page
    assert 'rel="next" href="/van-ban/003_c27fd48b03f3a55c?sort=cu-nhat"' in page


def test_unknown_pages_are_404_in_vietnamese(client):
    for url in ("/van-ban/khong-co", "/nam/1999", "/khong-co-trang-nay"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy" in _text(response)


def test_browse_years_and_months(client):
    years = _text(client.get("/nam/"))
    assert 'href="/nam/2014"><span class="bar-label">2014</span>' in years and "<meter" in years
    assert '<a href="/nam/2014">2014</a>: 2 văn bản' in years
    year = _text(client.get("/nam/2014"))
    assert "Tháng 10/2014" in year and 'href="/nam/2014/06"' in year
    month = _text(client.get("/nam/2014/06"))
    assert "000_0e1e5b514ef6e61b" in month and "5/6/2014" in month


def _first_ids(client, url):
    return re.findall(r'<h3><a href="/van-ban/([^"?]+)', _text(client.get(url)))


def test_field_prefixes_filter_like_facets(client):
    assert _first_ids(client, "/tim-kiem?q=signer%3A%22l%C3%AA+t%E1%BA%A5n+lai%22") == [
        "003_c27fd48b03f3a55c", "000_0e1e5b514ef6e61b"]
    assert _first_ids(client, "/tim-kiem?q=unit%3Atuy+phong+ket+luan") == ["000_0e1e5b514ef6e61b"]
    assert _first_ids(client, "/tim-kiem?q=year%3A2018") == ["001_dddd422e47ca07c7"]


def test_a_cited_number_finds_the_notices_that_cite_it(client):
    assert _first_ids(client, "/tim-kiem?q=05-CT%2FT%C6%AF")[0] == "001_dddd422e47ca07c7"


def test_date_range_filters_and_shows_a_chip(client):
    page = _text(client.get("/tim-kiem?from=2014-01-01&to=2014-12-31"))
    assert "<strong>2</strong> văn bản" in page
    assert "Từ ngày: 1/1/2014" in page and "Đến ngày: 31/12/2014" in page


def test_undated_notices_are_countable(tmp_path, vocab):
    from indexer.build import BuildOptions
    from indexer.build import build_index
    from portal import create_app

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Tin không ngày\n\nNội dung về đảng viên.", encoding="utf-8")
    build_index(BuildOptions(index=str(tmp_path / "ix"), corpus=str(tmp_path / "c")), vocab)
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "ix")}).test_client()
    data = client.get("/api/search").get_json()
    assert data["facets"]["year"] == [{"value": "none", "count": 1}]
    assert "Không rõ ngày" in _text(client.get("/tim-kiem"))
    assert client.get("/api/search?year=none").get_json()["total"] == 1
