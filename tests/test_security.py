"""Hostile input never runs: escaping everywhere, security headers, bounded requests."""

import csv
import glob
import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
from selectolax.lexbor import LexborHTMLParser

from indexer.build import BuildOptions
from indexer.build import build_index
from portal import create_app
from portal import search as search_service
from tests.conftest import ROOT

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = "=HYPERLINK(\"http://x\",\"bấm\")"


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory, vocab):
    """An index holding a notice whose text and metadata attack every page that shows them."""
    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "corpus"
    corpus.mkdir()
    text = (f"THÔNG BÁO\n\nKẾT LUẬN {SCRIPT}\n\nNgày 05/6/2014, đồng chí Dương Văn An – Phó Bí thư Tỉnh ủy có buổi "
            f"làm việc {IMG} với đảng viên. Xem Chỉ thị số 20-CT/TU {SCRIPT}.\n\n"
            f"<title>{SCRIPT}</title>\n")
    (corpus / "doc.txt").write_text(text, encoding="utf-8")
    (corpus / "page.html").write_text(
        f"<html><head><title>{SCRIPT}</title><script>alert(2)</script><style>body{{}}</style></head>"
        f"<body><article><h1>Tin {IMG}</h1><p>{'Nội dung đảng viên. ' * 20}</p></article></body></html>",
        encoding="utf-8")
    sidecar = {"title": f"{FORMULA} {SCRIPT}", "signer": f"Lê {IMG}", "units": [f"Đơn vị {SCRIPT}"],
               "topics": [f"@SUM(1+1) {IMG}"]}
    (corpus / "doc.meta.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
    build_index(BuildOptions(index=str(folder / "ix"), corpus=str(corpus)), vocab)
    return create_app({"TESTING": True, "INDEX_PATH": str(folder / "ix")}).test_client()


PAGES = ["/", "/tim-kiem?q=%C4%91%E1%BA%A3ng+vi%C3%AAn", "/tim-kiem?q=alert", "/van-ban/doc?q=alert",
         "/van-ban/page", "/nam/", "/nam/2014", "/nam/2014/06", "/tim-kiem?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
         "/tim-kiem?unit=%3Cscript%3E"]


@pytest.mark.parametrize("url", PAGES)
def test_hostile_text_and_metadata_are_escaped_in_html(hostile_client, url):
    response = hostile_client.get(url, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in page and "<img src=x" not in page and "alert(2)" not in page
    # Parsed as a browser would: the only script is the portal's file, no element has a handler.
    tree = LexborHTMLParser(page)
    assert [node.attributes.get("src").split("?v=")[0] for node in tree.css("script")] == ["/static/app.js"]
    assert tree.css("img") == []
    for node in tree.css("*"):
        assert not any(name.lower().startswith("on") for name in node.attributes), node.tag


def test_feed_and_json_carry_hostile_text_as_data(hostile_client):
    feed = ET.fromstring(hostile_client.get("/tim-kiem.atom?q=alert").data)  # parses: nothing broke out
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(SCRIPT in (t or "") for t in titles)
    data = hostile_client.get("/api/search?q=alert").get_json()
    assert any(SCRIPT in hit["title"] for hit in data["hits"])
    assert "<script>" not in data["hits"][0]["snippet"].replace("&lt;script&gt;", "")


def test_csv_cells_never_start_a_formula(hostile_client):
    text = hostile_client.get("/tim-kiem.csv").get_data(as_text=True).lstrip("\ufeff")
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_security_headers_on_every_response(client):
    for url in ("/", "/tim-kiem?q=x", "/api/search", "/khong-co", "/static/style.css", "/opensearch.xml"):
        response = client.get(url)
        response.close()  # a static file stays open until closed
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_templates_and_script_need_no_inline_code():
    for path in glob.glob(os.path.join(ROOT, "templates", "**", "*.*"), recursive=True):
        with open(path, encoding="utf-8") as f:
            source = f.read()
        assert not re.search(r"<script(?![^>]*\ssrc=)", source), path
        assert not re.search(r"\son[a-z]+\s*=|\sstyle\s*=", source), path


@pytest.mark.parametrize("doc_id", ["..%2F..%2Fetc%2Fpasswd", "../../setup.cfg", "%2e%2e%2f%2e%2e%2fREADME.md",
                                    "CURRENT", "manifest.json"])
def test_no_path_traversal_through_notice_ids(client, doc_id):
    for prefix in ("/van-ban/", "/api/doc/"):
        response = client.get(prefix + doc_id)
        assert response.status_code == 404
        assert "[metadata]" not in response.get_data(as_text=True)


def test_production_app_is_not_in_debug_mode(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app()
    assert not app.debug and not app.testing


def test_an_unexpected_error_gives_a_vietnamese_500_without_a_traceback(seed_index, monkeypatch):
    app = create_app({"INDEX_PATH": str(seed_index)})

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(search_service, "search", explode)
    response = app.test_client().get("/tim-kiem?q=x")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Đã có lỗi" in page and "secret internals" not in page and "Traceback" not in page


def test_the_time_budget_stops_phrase_checks_and_says_so(app, client):
    app.config["SEARCH_TIME_LIMIT"] = 0
    response = client.get("/tim-kiem?q=%22%C4%91%E1%BA%A3ng+vi%C3%AAn%22")
    assert response.status_code == 200
    assert "mất quá nhiều thời gian" in response.get_data(as_text=True)
    # Without positional checks the search still answers words at once.
    assert "mất quá nhiều" not in client.get("/tim-kiem?q=dang").get_data(as_text=True)
