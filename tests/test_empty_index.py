"""An index without notices: every page answers, and says plainly that the collection is empty."""

import csv
import io
import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from indexer.build import BuildOptions
from indexer.build import build_index
from portal import create_app
from tests.conftest import NOTICES

EMPTY_MESSAGE = "Kho lưu trữ chưa có văn bản nào."
NO_MATCH_MESSAGE = "Không tìm thấy văn bản nào phù hợp."
SEED = "004_abab5fe7c577bb0b"
ATOM = "{http://www.w3.org/2005/Atom}"
PAGES = [
    ("/", 200),
    ("/tim-kiem", 200),
    ("/tim-kiem?q=phát triển đảng viên", 200),
    ("/tim-kiem?q=dang vien&year=2008&sort=moi-nhat", 200),
    ('/tim-kiem?q="kết luận" 503-TB/TU signer:trung', 200),
    ("/tim-kiem.atom?q=đảng viên", 200),
    ("/tim-kiem.csv?q=đảng viên", 200),
    ("/api/search?q=dang vien", 200),
    ("/nam/", 200),
    ("/api/nam", 200),
    ("/opensearch.xml", 200),
    # A year or notice the collection lacks is a 404, as on any index.
    ("/nam/2008", 404),
    ("/nam/2008/05", 404),
    ("/api/nam/2008", 404),
    (f"/van-ban/{SEED}", 404),
    (f"/api/doc/{SEED}", 404),
]


def _build(corpus, index, vocab):
    return build_index(BuildOptions(index=str(index), corpus=str(corpus), procs=1), vocab)


def _empty_folder(tmp, vocab):
    corpus = tmp / "corpus"
    corpus.mkdir()
    _build(corpus, tmp / "index", vocab)
    return create_app({"TESTING": True, "INDEX_PATH": str(tmp / "index")})


def _only_skipped_files(tmp, vocab):
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "rong.txt").write_bytes(b"")
    (corpus / "nhi-phan.txt").write_bytes(bytes(range(256)) * 8)
    report = _build(corpus, tmp / "index", vocab)
    assert len(report.skipped) == 2 and report.generation
    return create_app({"TESTING": True, "INDEX_PATH": str(tmp / "index")})


def _last_notice_deleted(tmp, vocab):
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(os.path.join(NOTICES, f"{SEED}.txt"), corpus)
    _build(corpus, tmp / "index", vocab)
    app = create_app({"TESTING": True, "INDEX_PATH": str(tmp / "index")})
    # The app serves the one-notice generation first, then must follow CURRENT to the empty one.
    assert app.test_client().get("/api/search").get_json()["total"] == 1
    os.remove(corpus / f"{SEED}.txt")
    assert _build(corpus, tmp / "index", vocab).removed == 1
    return app


@pytest.fixture(scope="module", params=[_empty_folder, _only_skipped_files, _last_notice_deleted],
                ids=["empty-folder", "only-skipped-files", "last-notice-deleted"])
def client(request, tmp_path_factory, vocab):
    return request.param(tmp_path_factory.mktemp("empty"), vocab).test_client()


@pytest.mark.parametrize(("url", "status"), PAGES)
def test_every_page_answers(client, url, status):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == status


@pytest.mark.parametrize("url", ["/", "/tim-kiem", "/tim-kiem?q=phát triển đảng viên", "/tim-kiem?q=dang vien",
                                 "/nam/"])
def test_html_pages_say_the_collection_is_empty(client, url):
    html = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert EMPTY_MESSAGE in html
    assert NO_MATCH_MESSAGE not in html
    # Nothing to suggest or loosen when there is nothing at all.
    assert "Có phải bạn muốn tìm" not in html and "Thử nới điều kiện" not in html


def test_search_json_is_well_formed_with_nothing_found(client):
    data = client.get("/api/search?q=dang+vien", follow_redirects=True).get_json()
    assert data == {"query": "dang vien", "total": 0, "page": 1, "per_page": 20, "hits": [],
                    "facets": {"year": [], "signer": [], "unit": [], "topic": [], "chair": [], "type": []},
                    "suggestion": None}


def test_browse_json_lists_no_year(client):
    assert client.get("/api/nam").get_json() == []


def test_missing_notice_json_is_an_error_object(client):
    assert client.get(f"/api/doc/{SEED}").get_json() == {"error": "Không tìm thấy trang hoặc văn bản này.",
                                                          "status": 404}


def test_feed_has_no_entries(client):
    feed = ET.fromstring(client.get("/tim-kiem.atom?q=đảng", follow_redirects=True).data)
    assert feed.tag == f"{ATOM}feed" and feed.findall(f"{ATOM}entry") == []


def test_csv_has_only_its_header(client):
    text = client.get("/tim-kiem.csv", follow_redirects=True).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0][:2] == ["id", "url"]
