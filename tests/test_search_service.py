"""The search service follows rebuilds and keeps shared links stable."""

import shutil

import pytest

from werkzeug.datastructures import MultiDict

from indexer.build import BuildOptions
from indexer.build import build_index
from portal import create_app
from portal import search as search_service
from portal.params import parse_params
from tests.conftest import read_seed


def _ids(app, **args):
    with app.test_request_context():
        result = search_service.search(parse_params(MultiDict(args)))
    return result["total"], [hit["id"] for hit in result["hits"]], result["generation"]


def test_a_published_rebuild_is_served_without_a_restart(corpus_dir, tmp_path, vocab):
    index = tmp_path / "ix"
    build_index(BuildOptions(index=str(index), corpus=str(corpus_dir)), vocab)
    app = create_app({"TESTING": True, "INDEX_PATH": str(index)})
    total, _, first = _ids(app, q="dang vien")
    (corpus_dir / "notices" / "moi.txt").write_text(read_seed("001_dddd422e47ca07c7.txt"), encoding="utf-8")
    build_index(BuildOptions(index=str(index), corpus=str(corpus_dir)), vocab)
    again, ids, second = _ids(app, q="dang vien")
    assert (again, second != first) == (total + 1, True)
    assert "moi" in ids


def test_links_give_the_same_page_after_a_rebuild_in_another_order(corpus_dir, tmp_path, vocab):
    later = tmp_path / "later"
    later.mkdir()
    for i in range(30):  # equal scores and dates: only the id can order them
        folder = corpus_dir / "notices" if i % 2 else later
        (folder / f"x{i:02d}.txt").write_text("Tin ngắn\n\nđảng viên", encoding="utf-8")
    build_index(BuildOptions(index=str(tmp_path / "b"), corpus=str(corpus_dir)), vocab)
    for path in later.iterdir():
        shutil.move(str(path), corpus_dir / "notices" / path.name)
    build_index(BuildOptions(index=str(tmp_path / "b"), corpus=str(corpus_dir)), vocab)  # appended: new doc order
    build_index(BuildOptions(index=str(tmp_path / "a"), corpus=str(corpus_dir)), vocab)
    first = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "a")})
    second = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "b")})
    for args in ({"q": "đảng viên"}, {"q": "đảng viên", "page": "2"}, {"page": "2"}, {"q": "tin ngan", "sort": "cu-nhat"}):
        assert _ids(first, **args)[:2] == _ids(second, **args)[:2], args


def test_a_repeated_search_is_answered_from_the_cache(seed_index):
    app = create_app({"TESTING": True, "INDEX_PATH": str(seed_index)})
    with app.test_request_context():
        first = search_service.search(parse_params(MultiDict({"q": "dang vien", "year": "2014"})))
        again = search_service.search(parse_params(MultiDict({"year": "2014", "q": "dang  vien"})))
        other = search_service.search(parse_params(MultiDict({"q": "dang vien"})))
    assert again is first  # the same canonical search on the same generation
    assert other is not first


def test_a_repeated_link_gets_the_bytes_sent_the_first_time(seed_index, monkeypatch):
    client = create_app({"TESTING": True, "INDEX_PATH": str(seed_index)}).test_client()
    urls = ["/tim-kiem?q=dang+vien", "/api/search?q=dang+vien", "/tim-kiem.atom?q=dang+vien", "/tim-kiem.csv?q=dang+vien"]
    first = [client.get(url) for url in urls]
    monkeypatch.setattr(search_service, "search", lambda *a, **k: (_ for _ in ()).throw(AssertionError("searched")))
    for url, response in zip(urls, first):
        again = client.get(url)
        assert (again.status_code, again.data, again.content_type) == (200, response.data, response.content_type)
        assert again.headers.get("Content-Disposition") == response.headers.get("Content-Disposition")
        assert again.headers["Content-Security-Policy"]
    with pytest.raises(AssertionError, match="searched"):  # another host's links are its own
        client.get(urls[0], base_url="http://cong-thong-tin.example")


def test_a_remembered_link_is_recomputed_after_a_rebuild(corpus_dir, tmp_path, vocab):
    index = tmp_path / "ix"
    build_index(BuildOptions(index=str(index), corpus=str(corpus_dir)), vocab)
    client = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    before = client.get("/api/search?q=dang+vien").get_json()["total"]
    (corpus_dir / "notices" / "moi.txt").write_text(read_seed("001_dddd422e47ca07c7.txt"), encoding="utf-8")
    build_index(BuildOptions(index=str(index), corpus=str(corpus_dir)), vocab)
    assert client.get("/api/search?q=dang+vien").get_json()["total"] == before + 1
