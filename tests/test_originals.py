"""How a notice's text was obtained (``origin``) and its original files (``originals``, /ban-goc).

A test-only writer republishes notices with the stored keys these tests need (or without them, as
an older index has them), through the indexer's own ``index_fields`` and a new generation, as a
build would: the portal reads whatever the index stores, never the raw files.
"""

import os
import shutil

import pytest
from werkzeug.http import parse_options_header
from whoosh import index as whoosh_index

from indexer import postarrays
from indexer.codec import IndexCodec
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.notice import load_file
from indexer.schema import SCORED_FIELDS
from indexer.schema import index_fields
from indexer.store import IndexStore
from portal import create_app
from portal.downloads import content_disposition
from portal.provenance import origin_notes
from portal.provenance import size_label
from tests.conftest import NOTICES

WORD = "004_abab5fe7c577bb0b"  # typed in Word, in TCVN3, with its signed PDF and a page scan
SCANNED = "003_c27fd48b03f3a55c"  # recognized from a scan
PLAIN = "000_0e1e5b514ef6e61b"  # an index from before provenance: neither key
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_NAME = "Thông báo 503-TB-TU.docx"
PDF_NAME = "503-TB-TU bản ký.pdf"
PNG_NAME = "Trang 1.png"
SCAN_NAME = "Đảng ủy khối - kết luận.pdf"
TEXT_NAME = "kết luận (bản chép).txt"
PAGE_NAME = "tin bài.html"
FILES = {
    DOCX_NAME: b"PK\x03\x04" + b"\0" * (49357 - 4),
    PDF_NAME: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    PNG_NAME: b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
    SCAN_NAME: b"%PDF-1.5\n%%EOF\n",
    TEXT_NAME: "Kết luận\n".encode(),
    PAGE_NAME: b"<html><script>alert(1)</script></html>",
}
WORD_ORIGIN = {"format": "docx", "method": "text", "encodings": ["TCVN3"], "confidence": None, "pages": None,
               "pages_total": None}
SCAN_ORIGIN = {"format": "pdf", "method": "ocr", "encodings": [], "confidence": 87.4, "pages": 2, "pages_total": 5}


def _original(folder, name: str, fmt: str, mime: str) -> dict:
    path = os.path.join(folder, name)
    return {"name": name, "format": fmt, "size": os.path.getsize(path) if os.path.exists(path) else 1234,
            "path": path, "mime": mime}


def _republish(index, vocab, extra_meta: dict) -> None:
    """Rewrite some notices in a new published generation, their stored meta given (None: without) keys."""
    store = IndexStore(str(index))
    manifest = store.read_manifest()
    path = store.new_generation(copy_current=True)
    ix = whoosh_index.open_dir(path)
    writer = ix.writer(codec=IndexCodec(), compound=False)
    for doc_id, extra in extra_meta.items():
        fields = index_fields(load_file(os.path.join(NOTICES, f"{doc_id}.txt"), vocab))
        meta = {key: value for key, value in {**fields["meta"], **extra}.items() if value is not None}
        writer.update_document(**{**fields, "meta": meta})
    writer.commit()
    ix.close()
    postarrays.write_missing(path, SCORED_FIELDS)  # the portal reads every segment's posting arrays
    store.publish(path, manifest)


@pytest.fixture(scope="module")
def originals_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ban-goc")
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def client(tmp_path_factory, originals_folder, vocab):
    corpus = tmp_path_factory.mktemp("corpus")
    for doc_id in (WORD, SCANNED, PLAIN):
        shutil.copy(os.path.join(NOTICES, f"{doc_id}.txt"), corpus)
    index = tmp_path_factory.mktemp("index")
    build_index(BuildOptions(index=str(index), corpus=str(corpus), procs=1), vocab)
    folder = str(originals_folder)
    _republish(index, vocab, {
        WORD: {"origin": WORD_ORIGIN, "originals": [
            _original(folder, DOCX_NAME, "docx", DOCX_MIME),
            _original(folder, PDF_NAME, "pdf", "application/pdf"),
            _original(folder, PNG_NAME, "png", "image/png"),
            _original(folder, "Phụ lục.rtf", "rtf", "application/rtf"),  # gone from the server since
        ]},
        SCANNED: {"origin": SCAN_ORIGIN, "originals": [
            _original(folder, SCAN_NAME, "pdf", "application/pdf"),
            _original(folder, TEXT_NAME, "txt", "text/plain; charset=utf-8"),
            {**_original(folder, PAGE_NAME, "html", None), "mime": None},  # no stored type: the format's
        ]},
        PLAIN: {"origin": None, "originals": None},
    })
    return create_app({"TESTING": True, "INDEX_PATH": str(index)}).test_client()


def test_notice_page_lists_its_originals_with_format_and_size(client):
    html = client.get(f"/van-ban/{WORD}").get_data(as_text=True)
    assert "<dt>Bản gốc</dt>" in html
    assert f'<a href="/van-ban/{WORD}/ban-goc" type="{DOCX_MIME}">{DOCX_NAME}</a>' in html
    assert "(Word (.docx), 48,2 KB)" in html
    assert f'<a href="/van-ban/{WORD}/ban-goc/2" type="application/pdf">{PDF_NAME}</a>' in html
    assert f'<a href="/van-ban/{WORD}/ban-goc/3" type="image/png">{PNG_NAME}</a>' in html
    assert "(Ảnh quét (PNG), 108 byte)" in html
    # A file gone from the server is named, not linked.
    assert "Phụ lục.rtf\n" in html and f"/van-ban/{WORD}/ban-goc/4" not in html
    assert "Tệp gốc không còn trên máy chủ" in html


def test_notice_page_says_the_text_was_converted_from_an_old_font(client):
    html = client.get(f"/van-ban/{WORD}").get_data(as_text=True)
    assert "<li>Chuyển từ phông chữ cũ TCVN3 sang Unicode</li>" in html
    assert "nhận dạng" not in html


def test_notice_page_warns_that_a_scan_was_recognized(client):
    html = client.get(f"/van-ban/{SCANNED}").get_data(as_text=True)
    assert "<li>Văn bản nhận dạng từ bản quét — có thể có lỗi chính tả (độ tin cậy trung bình 87%)</li>" in html
    assert "<li>Chỉ đọc 2 trang đầu trong tổng số 5 trang</li>" in html
    assert "phông chữ cũ" not in html


def test_first_original_downloads_under_its_vietnamese_name(client):
    with client.get(f"/van-ban/{WORD}/ban-goc") as response:
        assert response.status_code == 200
        assert response.data == FILES[DOCX_NAME]
    assert response.mimetype == DOCX_MIME
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Thong bao 503-TB-TU.docx\"; "
        "filename*=UTF-8''Th%C3%B4ng%20b%C3%A1o%20503-TB-TU.docx")
    assert parse_options_header(response.headers["Content-Disposition"]) == ("attachment", {"filename": DOCX_NAME})
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("url", "name", "mime"), [
    (f"/van-ban/{WORD}/ban-goc/2", PDF_NAME, "application/pdf"),
    (f"/van-ban/{WORD}/ban-goc/3", PNG_NAME, "image/png"),
    (f"/van-ban/{SCANNED}/ban-goc", SCAN_NAME, "application/pdf"),
])
def test_pdfs_and_scans_open_in_place(client, url, name, mime):
    with client.get(url) as response:
        assert (response.status_code, response.mimetype, response.data) == (200, mime, FILES[name])
    assert parse_options_header(response.headers["Content-Disposition"]) == ("inline", {"filename": name})
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("url", "name", "content_type"), [
    (f"/van-ban/{SCANNED}/ban-goc/2", TEXT_NAME, "text/plain; charset=utf-8"),
    # A saved web page is never shown from the portal's own origin: its scripts would run there.
    (f"/van-ban/{SCANNED}/ban-goc/3", PAGE_NAME, "text/html"),
])
def test_other_files_download_with_their_stored_type(client, url, name, content_type):
    with client.get(url) as response:
        assert (response.status_code, response.data) == (200, FILES[name])
    assert response.headers["Content-Type"] == content_type
    assert parse_options_header(response.headers["Content-Disposition"]) == ("attachment", {"filename": name})


def test_the_first_original_has_one_url(client):
    response = client.get(f"/van-ban/{WORD}/ban-goc/1")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/van-ban/{WORD}/ban-goc"


@pytest.mark.parametrize("url", [
    "/van-ban/khong-co/ban-goc",
    "/van-ban/khong-co/ban-goc/2",
    f"/van-ban/{PLAIN}/ban-goc",  # indexed before originals were stored
    f"/van-ban/{WORD}/ban-goc/0",
    f"/van-ban/{WORD}/ban-goc/5",
    f"/van-ban/{WORD}/ban-goc/-1",
    f"/van-ban/{WORD}/ban-goc/1.0",
    f"/van-ban/{SCANNED}/ban-goc/4",
    "/van-ban/..%2F..%2Fetc%2Fpasswd/ban-goc",
    "/van-ban/..%2f..%2f..%2fetc%2fpasswd/ban-goc/1",
    "/van-ban/../../etc/passwd/ban-goc",
    "/van-ban/%2e%2e/ban-goc",
    "/van-ban/%2Fetc%2Fpasswd/ban-goc",
    f"/van-ban/{WORD}/ban-goc/..%2F..%2F..%2Fetc%2Fpasswd",
    f"/van-ban/{WORD}/ban-goc/%2Fetc%2Fpasswd",
    f"/van-ban/{WORD}/ban-goc/Thông báo 503-TB-TU.docx",
])
def test_anything_but_a_stored_original_is_not_found(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"root:" not in response.data
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_an_original_gone_from_the_server_is_a_404_that_says_so(client):
    response = client.get(f"/van-ban/{WORD}/ban-goc/4")
    assert response.status_code == 404
    assert "Tệp gốc không còn trên máy chủ" in response.get_data(as_text=True)


def test_api_doc_gives_origin_and_originals_without_server_paths(client, originals_folder):
    response = client.get(f"/api/doc/{WORD}")
    data = response.get_json()
    assert data["origin"] == WORD_ORIGIN
    assert data["origin_notes"] == ["Chuyển từ phông chữ cũ TCVN3 sang Unicode"]
    assert data["originals"] == [
        {"name": DOCX_NAME, "format": "docx", "format_label": "Word (.docx)", "size": 49357,
         "size_label": "48,2 KB", "mime": DOCX_MIME, "url": f"/van-ban/{WORD}/ban-goc", "available": True,
         "note": None},
        {"name": PDF_NAME, "format": "pdf", "format_label": "PDF", "size": len(FILES[PDF_NAME]),
         "size_label": f"{len(FILES[PDF_NAME])} byte", "mime": "application/pdf",
         "url": f"/van-ban/{WORD}/ban-goc/2", "available": True, "note": None},
        {"name": PNG_NAME, "format": "png", "format_label": "Ảnh quét (PNG)", "size": 108, "size_label": "108 byte",
         "mime": "image/png", "url": f"/van-ban/{WORD}/ban-goc/3", "available": True, "note": None},
        {"name": "Phụ lục.rtf", "format": "rtf", "format_label": "RTF", "size": 1234, "size_label": "1,2 KB",
         "mime": "application/rtf", "url": f"/van-ban/{WORD}/ban-goc/4", "available": False,
         "note": "Tệp gốc không còn trên máy chủ"},
    ]
    assert data["metadata"]["number"] == "503-TB/TU"
    assert not {"path", "origin", "originals"} & set(data["metadata"])
    # No absolute path of the server anywhere in the answer.
    assert str(originals_folder) not in response.get_data(as_text=True)
    assert NOTICES not in response.get_data(as_text=True)


def test_api_doc_of_a_scan_says_it_was_recognized(client):
    data = client.get(f"/api/doc/{SCANNED}").get_json()
    assert data["origin"] == SCAN_ORIGIN
    assert data["origin_notes"] == [
        "Văn bản nhận dạng từ bản quét — có thể có lỗi chính tả (độ tin cậy trung bình 87%)",
        "Chỉ đọc 2 trang đầu trong tổng số 5 trang"]
    assert [(o["url"], o["format_label"]) for o in data["originals"]] == [
        (f"/van-ban/{SCANNED}/ban-goc", "PDF"), (f"/van-ban/{SCANNED}/ban-goc/2", "Tệp văn bản (.txt)"),
        (f"/van-ban/{SCANNED}/ban-goc/3", "Trang web (.html)")]


def test_a_notice_indexed_without_provenance_shows_neither(client):
    html = client.get(f"/van-ban/{PLAIN}").get_data(as_text=True)
    assert "Bản gốc" not in html and "origin-notes" not in html
    data = client.get(f"/api/doc/{PLAIN}").get_json()
    assert (data["origin"], data["origin_notes"], data["originals"]) == (None, [], [])
    assert "path" not in data["metadata"]


@pytest.mark.parametrize(("size", "label"), [
    (0, "0 byte"), (1023, "1.023 byte"), (1024, "1,0 KB"), (49357, "48,2 KB"), (5 * 1024 * 1024, "5,0 MB"),
    (3 * 1024 ** 3 + 1024 ** 3 // 2, "3,5 GB"), (None, ""), (-1, ""), ("12", ""),
])
def test_size_label(size, label):
    assert size_label(size) == label


@pytest.mark.parametrize(("origin", "notes"), [
    (None, []),
    ("pdf", []),
    ({"format": "pdf", "method": "text", "encodings": [], "confidence": None, "pages": 3, "pages_total": None}, []),
    ({"method": "ocr", "confidence": None}, ["Văn bản nhận dạng từ bản quét — có thể có lỗi chính tả"]),
    ({"method": "ocr", "confidence": 99.6}, ["Văn bản nhận dạng từ bản quét — có thể có lỗi chính tả "
                                             "(độ tin cậy trung bình 100%)"]),
    ({"encodings": ["TCVN3", "VNI"]}, ["Chuyển từ phông chữ cũ TCVN3 và VNI sang Unicode"]),
    ({"encodings": ["Windows-1258"]}, ["Chuyển từ bảng mã cũ Windows-1258 sang Unicode"]),
    ({"pages": 20, "pages_total": 35}, ["Chỉ đọc 20 trang đầu trong tổng số 35 trang"]),
    ({"pages": None, "pages_total": 35}, ["Chỉ đọc một phần của tệp (35 trang)"]),
])
def test_origin_notes(origin, notes):
    assert origin_notes(origin) == notes


@pytest.mark.parametrize(("kind", "name", "header"), [
    ("inline", "ban-ky.pdf", "inline; filename=ban-ky.pdf"),
    ("inline", "Đảng ủy.pdf", "inline; filename=\"Dang uy.pdf\"; filename*=UTF-8''%C4%90%E1%BA%A3ng%20%E1%BB%A7y.pdf"),
    ("attachment", 'a "b".doc', 'attachment; filename="a \\"b\\".doc"'),
    ("attachment", "x\r\nSet-Cookie: y.doc", 'attachment; filename="x Set-Cookie: y.doc"'),
    ("attachment", "../../etc/passwd", 'attachment; filename=".. .. etc passwd"'),
    ("attachment", "", "attachment; filename=ban-goc"),
])
def test_content_disposition(kind, name, header):
    assert content_disposition(kind, name) == header
