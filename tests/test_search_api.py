HIT_KEYS = {"id", "url", "title", "date", "number", "signer", "chair", "units", "topics", "snippet"}


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
    assert data["hits"][0]["snippet"] in page


def test_api_doc(client):
    data = client.get("/api/doc/004_abab5fe7c577bb0b").get_json()
    assert data["metadata"]["number"] == "503-TB/TU"
    assert data["text"].startswith("TỈNH ỦY BÌNH THUẬN")
    assert data["references"]["87/2007/NĐ-CP"] is None


def test_api_errors_are_json_in_vietnamese(client):
    response = client.get("/api/doc/khong-co")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_json()["error"]
