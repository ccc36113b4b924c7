from portal import create_app


def test_factory_reads_the_index_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INDEX", str(tmp_path))
    assert create_app().config["INDEX_PATH"] == str(tmp_path)


def test_home_lists_recent_notices_in_vietnamese(client):
    page = client.get("/").get_data(as_text=True)
    assert "Kho lưu trữ có 4 văn bản" in page
    assert page.index("Cần tập trung xây dựng") < page.index("Ý kiến kết luận")  # newest first


def test_home_without_an_index_says_how_to_build_one(tmp_path):
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "none")}).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert "Chưa có chỉ mục" in response.get_data(as_text=True)
