"""Links that browsers and proxies can cache: ETags from the index generation, 304s, Cache-Control."""

import re
import shutil

import pytest

from indexer.build import BuildOptions
from indexer.build import build_index
from portal import create_app
from portal import search as search_service
from tests.conftest import NOTICES

SEED = "004_abab5fe7c577bb0b"
PAGE = "public, max-age=5, must-revalidate"
NOTICE = PAGE  # a correction must show on the notice as soon as in the search
PAGES = [
    ("/", PAGE),
    ("/tim-kiem", PAGE),
    ("/tim-kiem?q=dang+vien&year=2014&year=2018&sort=moi-nhat", PAGE),
    ("/api/search?q=dang+vien", PAGE),
    ("/tim-kiem.atom?q=dang+vien", PAGE),
    ("/tim-kiem.csv?q=dang+vien", PAGE),
    ("/nam/", PAGE),
    ("/nam/2014", PAGE),
    ("/nam/2014/06", PAGE),
    ("/api/nam", PAGE),
    ("/api/nam/2014", PAGE),
    (f"/van-ban/{SEED}", NOTICE),
    (f"/van-ban/{SEED}?q=doanh+nghiep", NOTICE),
    (f"/api/doc/{SEED}", NOTICE),
    ("/opensearch.xml", "public, max-age=86400, must-revalidate"),
]
WEAK_TAG = re.compile(r'^W/"gen-\d{6}-[0-9a-f]{8}-[0-9a-f]{16}"$')


def _fetch(client, url: str, **headers):
    """GET a file and close it: a 304 or a range leaves Werkzeug's file open otherwise."""
    with client.get(url, headers=headers) as response:
        response.get_data()
        return response


def _tag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["ETag"]


@pytest.mark.parametrize("url, cache_control", PAGES)
def test_pages_carry_a_weak_etag_and_their_cache_control(client, url, cache_control):
    response = client.get(url)
    assert response.status_code == 200
    assert WEAK_TAG.match(response.headers["ETag"])
    assert response.headers["Cache-Control"] == cache_control


@pytest.mark.parametrize("url, cache_control", PAGES)
def test_a_known_etag_is_answered_304_without_a_body(client, url, cache_control):
    tag = _tag(client, url)
    for method in (client.get, client.head):
        response = method(url, headers={"If-None-Match": tag})
        assert response.status_code == 304
        assert response.data == b""
        # A 304 carries what the 200 would have said about caching.
        assert (response.headers["ETag"], response.headers["Cache-Control"]) == (tag, cache_control)


@pytest.mark.parametrize("header", ['"autre", {tag}', '{tag}, W/"autre"', "{bare}", "*", '  {tag} ,"x"'])
def test_if_none_match_lists_strong_forms_and_star(client, header):
    url = "/tim-kiem?q=dang+vien"
    tag = _tag(client, url)
    header = header.format(tag=tag, bare=tag[2:])  # the strong form matches too: If-None-Match compares weakly
    assert client.get(url, headers={"If-None-Match": header}).status_code == 304


def test_another_tag_gets_the_page(client):
    url = "/tim-kiem?q=dang+vien"
    tag = _tag(client, url)
    other = _tag(client, "/tim-kiem?q=dang+vien&page=2")
    assert other != tag
    response = client.get(url, headers={"If-None-Match": f'{other}, W/"gen-000001-00000000-0000000000000000"'})
    assert response.status_code == 200 and response.headers["ETag"] == tag and b"hit" in response.data


def test_a_known_tag_is_answered_without_searching(client, monkeypatch):
    url = "/tim-kiem?q=phat+trien+dang+vien"
    tag = _tag(client, url)
    doc_tag = _tag(client, f"/van-ban/{SEED}")

    def refuse(*args, **kwargs):
        raise AssertionError("a 304 must not search")

    monkeypatch.setattr(search_service, "search", refuse)
    monkeypatch.setattr(search_service, "get_doc", refuse)
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert client.head(f"/van-ban/{SEED}", headers={"If-None-Match": doc_tag}).status_code == 304


def test_repeated_links_answered_from_memory_keep_their_etag(client):
    url = "/api/search?q=ket+luan&sort=moi-nhat"
    first, again = client.get(url), client.get(url)
    assert first.data == again.data
    assert first.headers["ETag"] == again.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_every_url_has_its_own_tag_and_every_app_the_same(client, seed_index):
    tags = {url: _tag(client, url) for url, _ in PAGES}
    assert len(set(tags.values())) == len(PAGES)
    # Workers of one deployment (one app each) answer alike, so that any of them can say 304.
    other = create_app({"TESTING": True, "INDEX_PATH": str(seed_index)}).test_client()
    assert {url: _tag(other, url) for url, _ in PAGES} == tags


@pytest.mark.parametrize("url, status", [
    ("/khong-co-trang-nay", 404), ("/van-ban/khong-co", 404), ("/api/doc/khong-co", 404), ("/nam/1900", 404),
    ("/van-ban/khong-co/ban-goc", 404),
])
def test_errors_are_not_stored_and_carry_no_etag(client, url, status):
    for header in ({}, {"If-None-Match": "*"}):
        response = client.get(url, headers=header)
        assert response.status_code == status
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


def test_no_index_yet_is_a_503_not_stored(tmp_path):
    client = create_app({"TESTING": True, "INDEX_PATH": str(tmp_path / "khong-co")}).test_client()
    response = client.get("/tim-kiem?q=x", headers={"If-None-Match": "*"})
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_redirects_to_canonical_urls_still_work(client):
    response = client.get("/tim-kiem?page=1&q=dang+vien&year=", headers={"If-None-Match": "*"})
    assert response.status_code == 301
    assert response.headers["Location"] == "/tim-kiem?q=dang+vien"
    assert "ETag" not in response.headers
    assert client.get("/van-ban/x/ban-goc/1").status_code == 301


def test_static_urls_are_versioned_and_cached_long(client):
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert sorted(re.sub(r"\?v=[0-9a-f]{12}$", "", url) for url in urls) == ["/static/app.js", "/static/style.css"]
    for url in urls:
        response = _fetch(client, url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        again = _fetch(client, url, **{"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        since = _fetch(client, url, **{"If-Modified-Since": response.headers["Last-Modified"]})
        assert since.status_code == 304
    # Without its version (or with an old one) a file is revalidated every time, never kept stale.
    for url in ("/static/app.js", "/static/app.js?v=000000000000"):
        response = _fetch(client, url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache" and response.headers["ETag"]


def test_originals_have_their_own_validators(client):
    url = f"/van-ban/{SEED}/ban-goc"
    response = _fetch(client, url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    tag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert not tag.startswith("W/")  # strong, from the file: ranges can rely on it
    for headers in ({"If-None-Match": tag}, {"If-None-Match": f'"x", {tag}'}, {"If-Modified-Since": modified}):
        again = _fetch(client, url, **headers)
        assert again.status_code == 304 and again.data == b""
    part = _fetch(client, url, Range="bytes=0-9", **{"If-Range": tag})
    assert part.status_code == 206 and part.data == response.data[:10]


def test_a_rebuild_changes_the_etags(tmp_path, vocab):
    corpus = tmp_path / "corpus"
    shutil.copytree(NOTICES, corpus)
    index = tmp_path / "index"
    build_index(BuildOptions(index=str(index), corpus=str(corpus), procs=1), vocab)
    client = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    urls = ["/tim-kiem?q=dang+vien", "/api/search?q=dang+vien", f"/van-ban/{SEED}", f"/api/doc/{SEED}", "/nam/"]
    before = {url: _tag(client, url) for url in urls}
    assert all(client.get(url, headers={"If-None-Match": tag}).status_code == 304 for url, tag in before.items())

    text = (corpus / f"{SEED}.txt").read_text(encoding="utf-8")
    (corpus / "ban-sao.txt").write_text(text + "\nBản sao.", encoding="utf-8")
    build_index(BuildOptions(index=str(index), corpus=str(corpus), procs=1), vocab)

    after = {url: _tag(client, url) for url in urls}
    assert all(after[url] != before[url] for url in urls)
    for url, tag in before.items():
        response = client.get(url, headers={"If-None-Match": tag})
        assert response.status_code == 200 and response.headers["ETag"] == after[url]
    assert client.get("/api/search?q=dang+vien", headers={"If-None-Match": before["/api/search?q=dang+vien"]}
                      ).get_json()["total"] == 5  # the rebuilt index's answer, not the one remembered


def test_an_index_folder_deleted_and_rebuilt_gives_other_tags(tmp_path, vocab):
    index = tmp_path / "index"
    build_index(BuildOptions(index=str(index), corpus=NOTICES, procs=1), vocab)
    url = "/tim-kiem?q=dang+vien"
    first = _tag(create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client(), url)
    shutil.rmtree(index)
    corpus = tmp_path / "corpus"
    shutil.copytree(NOTICES, corpus)
    (corpus / f"{SEED}.txt").unlink()
    build_index(BuildOptions(index=str(index), corpus=str(corpus), procs=1), vocab)
    client = create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()
    second = _tag(client, url)
    assert first.startswith('W/"gen-000001-') and second.startswith('W/"gen-000001-')  # the same number
    assert second != first
    assert client.get(url, headers={"If-None-Match": first}).status_code == 200
