HIT_KEYS = {"id", "url", "title", "date", "number", "signer", "chair", "units", "topics", "snippet", "citation",
            "passage", "passage_label", "anchor"}


def test_api_search_has_the_spec_shape(client):
    data = client.get("/api/search?q=dang+vien&year=2014").get_json()
    assert set(data) == {"query", "total", "page", "per_page", "hits", "facets", "suggestion"}
    assert (data["query"], data["total"], data["page"], data["per_page"]) == ("dang vien", 2, 1, 20)
    assert all(set(hit) == HIT_KEYS for hit in data["hits"])
    assert set(data["facets"]) == {"year", "signer", "unit", "topic", "chair", "type"}
    # The year facet is counted as if its own filter were off: other years stay visible.
    assert data["facets"]["year"] == [{"value": "2014", "count": 2}, {"value": "2008", "count": 1},
                                      {"value": "2018", "count": 1}]
    assert data["suggestion"] == "đảng viên"


def test_api_search_and_html_come_from_the_same_data(client):
    data = client.get("/api/search?q=%22Tuy+Phong%22").get_json()
    page = client.get("/tim-kiem?q=%22Tuy+Phong%22").get_data(as_text=True)
    assert data["total"] == 1
    assert data["hits"][0]["passage"] in page  # a query's hit shows its best passage (tests/test_passages.py)


def test_api_doc(client):
    data = client.get("/api/doc/004_abab5fe7c577bb0b").get_json()
    assert data["metadata"]["number"] == "503-TB/TU"
    assert data["text"].startswith("TỈNH ỦY BÌNH THUẬN")
    assert data["references"]["87/2007/NĐ-CP"] is None


def test_api_errors_are_json_in_vietnamese(client):
    response = client.get("/api/doc/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_json()["error"]


def test_browse_twins(client):
    assert client.get("/api/nam").get_json() == [{"year": "2008", "count": 1}, {"year": "2014", "count": 2},
                                                 {"year": "2018", "count": 1}]
    months = client.get("/api/nam/2014").get_json()
    assert [m["month"] for m in months] == ["2014-10", "2014-06"]
    assert months[1]["notices"][0]["url"] == "/van-ban/000_0e1e5b514ef6e61b"
    assert client.get("/api/nam/2014/10").get_json()[0]["id"] == "003_c27fd48b03f3a55c"
    assert client.get("/api/nam/1999").status_code == 404


def test_every_html_page_links_its_json_twin(client):
    for url in ("/", "/tim-kiem?q=x", "/van-ban/004_abab5fe7c577bb0b", "/nam/", "/nam/2014", "/nam/2014/06"):
        page = client.get(url).get_data(as_text=True)
        twin = page.split('rel="alternate" type="application/json" href="', 1)[1].split('"', 1)[0]
        assert client.get(twin).status_code == 200, url
