"""Uploads in the archivists' workspace (/quan-tri/tai-len): what an auditor tries, then the real flow.

Hostile names and contents, oversized requests, forged and anonymous posts; then a Word file with a
Vietnamese name uploaded, reviewed, corrected, published, found by the public search and downloaded
under its own name.
"""

import contextlib
import gc
import hashlib
import html.parser
import io
import json
import os
import re
import warnings
import zipfile
from urllib.parse import quote

import pytest
from flask import request
from werkzeug.exceptions import HTTPException

from indexer import formats
from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.notice import UPLOAD_SUFFIX
from indexer.notice import original_file
from indexer.sidecar import OVERRIDABLE
from indexer.sources import scan_corpus
from indexer.vocab import load_vocabulary
from portal import create_app
from portal.workspace import audit
from portal.workspace import upload_files
from portal.workspace import uploads
from portal.workspace.db import get_db
from tests.conftest import read_seed
from tests.officefiles import write_docx
from tests.workspace_fixtures import sign_in

URL = "/quan-tri/tai-len"
SEED = "004_abab5fe7c577bb0b.txt"
VIETNAMESE_NAME = "Thông báo kết luận số 12.docx"
MB = 1048576
# A notice short enough to read fast, long enough to be a notice.
NOTICE = ("TỈNH ỦY BÌNH THUẬN\n\nSố 77-TB/TU\n\nPhan Thiết, ngày 3 tháng 9 năm 2024\n\nTHÔNG BÁO\n\n"
          "KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY\n\ntại buổi làm việc với Huyện ủy Tuy Phong\n\n"
          "Ngày 1/9/2024, Thường trực Tỉnh ủy làm việc với Huyện ủy Tuy Phong về công tác dân vận.\n")


@pytest.fixture
def workspace_config(workspace_config, tmp_path):
    return {**workspace_config, "UPLOAD_FOLDER": str(tmp_path / "instance" / "uploads"), "UPLOAD_MAX_MB": 1,
            "UPLOAD_MAX_REQUEST_MB": 3, "UPLOAD_MAX_FILES": 12, "UPLOAD_WAIT_SECONDS": 120}


@pytest.fixture
def staging(workspace_app) -> str:
    return workspace_app.config["UPLOAD_FOLDER"]


@pytest.fixture
def corpus(workspace_app, corpus_dir) -> str:
    """The seeds' corpus, indexed into the workspace app's index folder: uploads can be published."""
    notices = str(corpus_dir / "notices")
    build_index(BuildOptions(index=workspace_app.config["INDEX_PATH"], corpus=notices, vocab=str(corpus_dir)),
                load_vocabulary(str(corpus_dir)))
    return notices


def _token(client) -> str:
    """The session's CSRF token, from the upload page (as a browser has it)."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', _page(client.get(URL))).group(1)


def _multipart(fields: dict, files: list[tuple]) -> tuple[bytes, str]:
    """Encode a form as a browser does: names in UTF-8 as typed (``"``, CR and LF percent-encoded) or byte
    for byte when given as bytes. The test client would spool a large body to a file it never closes."""
    boundary = b"----qt-upload-test"
    parts = [f'Content-Disposition: form-data; name="{key}"\r\n\r\n{value}'.encode() for key, value in fields.items()]
    for name, content in files:
        if isinstance(name, str):
            name = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A").encode()
        parts.append(b'Content-Disposition: form-data; name="files"; filename="' + name + b'"\r\n'
                     b"Content-Type: application/octet-stream\r\n\r\n" + content)
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + boundary + b"--\r\n"
    return body, "multipart/form-data; boundary=" + boundary.decode()


def _upload(client, files: list[tuple], token: str | None = "session", **kwargs):
    """Post files (name, content) to the upload form, with the session's CSRF token unless told otherwise."""
    if token == "session":
        token = _token(client)
    body, content_type = _multipart({"csrf_token": token} if token else {}, files)
    return client.post(URL, data=body, content_type=content_type, **kwargs)


def _files(folder) -> list[str]:
    """Every file under a folder, relative to it."""
    found = []
    for directory, _, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(directory, name), folder) for name in names]
    return sorted(found)


def _staged(app) -> list[uploads.Staged]:
    return uploads.staged(app.config["UPLOAD_FOLDER"])


def _actions(app, action: str) -> list[dict]:
    with app.app_context():
        return audit.recent(get_db(), filters={"action": action})


def _docx(tmp_path, text: str, name: str = "notice.docx") -> bytes:
    with open(write_docx(str(tmp_path / name), text), "rb") as f:
        return f.read()


def _page(response) -> str:
    return response.get_data(as_text=True)


class _Form(html.parser.HTMLParser):
    """The fields of the review form, as a browser would send them back."""

    def __init__(self):
        super().__init__()
        self.fields, self._in_form, self._textarea = {}, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = "upload-review" in (attrs.get("class") or "")
        elif self._in_form and tag == "input" and attrs.get("type") not in ("checkbox",):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self._in_form and tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def _review_form(page: str) -> dict:
    parser = _Form()
    parser.feed(page)
    return parser.fields


# -- names ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("Thông báo kết luận số 12.docx", "Thông báo kết luận số 12.docx"),
    ("Tho\u0302ng ba\u0301o.docx", "Thông báo.docx"),  # NFD from a Mac
    ("../../x.txt", "x.txt"),
    ("/etc/passwd", "passwd"),
    ("..\\..\\x.txt", "x.txt"),
    ("C:\\Users\\An\\Tệp của tôi.docx", "Tệp của tôi.docx"),
    ("a\x00b.txt", "ab.txt"),
    ("báo cáo\u202etxt.exe", "báo cáotxt.exe"),
    ("\u200bẩn\ufeff.pdf", "ẩn.pdf"),
    ("a\r\nSet-Cookie: x.txt", "a Set-Cookie: x.txt"),
    ("  .ẩn   tên.txt. ", "ẩn tên.txt"),
    ("..", upload_files.UNNAMED), ("...", upload_files.UNNAMED), (". . .", upload_files.UNNAMED), ("", upload_files.UNNAMED),
    (None, upload_files.UNNAMED),
])
def test_display_name(raw, shown):
    assert upload_files.display_name(raw) == shown


def test_a_very_long_name_is_cut_keeping_its_extension():
    name = upload_files.display_name("Thông báo " * 200 + ".docx")
    assert len(name) == upload_files.MAX_NAME and name.endswith("….docx") and name.startswith("Thông báo Thông")


@pytest.mark.parametrize(("name", "fmt", "offered"), [
    ("Thông báo.docx", formats.DOCX, "Thông báo.docx"),
    ("scan.JPEG", formats.JPEG, "scan.JPEG"),
    ("trang.htm", formats.HTML, "trang.htm"),
    ("ghi chú.txt", formats.HTML, "ghi chú.html"),  # a page named .txt is offered as what it is
    ("setup.exe", formats.DOCX, "setup.exe.docx"),
    ("Thông báo", formats.PDF, "Thông báo.pdf"),
    ("v1.2 bản cuối", formats.TXT, "v1.2 bản cuối.txt"),
])
def test_download_name_carries_the_extension_of_the_content(name, fmt, offered):
    assert upload_files.download_name(name, fmt) == offered


def test_stored_names_are_generated_from_the_date_and_random_hex():
    names = {upload_files.stored_name(1_750_000_000, formats.DOCX) for _ in range(50)}
    assert len(names) == 50 and all(re.fullmatch(r"2025-06-15-[0-9a-f]{12}\.docx", n) for n in names)


def test_every_format_has_an_extension_the_indexer_reads_as_that_format():
    assert set(upload_files.EXTENSIONS) == set(formats.MIME_TYPES)
    assert all(formats.format_of_name("x" + ext) == fmt for fmt, ext in upload_files.EXTENSIONS.items())


def test_the_reviewer_corrects_the_fields_a_sidecar_may_override():
    assert set(uploads.REVIEW_FIELDS) == OVERRIDABLE


def test_the_companion_suffix_is_the_one_the_indexer_reads():
    assert uploads.COMPANION_SUFFIX == UPLOAD_SUFFIX


# -- corrections ---------------------------------------------------------------------------------

EXTRACTED = {"number": "12-TB/TU", "date": "2008-05-16", "signer": "Huỳnh Đa Trung", "units": ["Huyện ủy Tuy Phong"],
             "topics": ["Dân vận", "Phát triển đảng viên"], "place": None}


@pytest.mark.parametrize(("form", "changes", "problems"), [
    ({}, {}, {}),  # fields not sent stay as extracted
    ({"number": " 12-TB/TU ", "date": "2008-05-16", "units": "Huyện ủy Tuy Phong\r\n", "place": "",
      "topics": "Dân vận\r\nPhát triển đảng viên"}, {}, {}),  # sent back unchanged
    ({"signer": "Nguyễn Văn A", "place": "Phan Thiết"}, {"signer": "Nguyễn Văn A", "place": "Phan Thiết"}, {}),
    ({"signer": "", "units": ""}, {"signer": None, "units": []}, {}),
    ({"topics": "Dân vận\n\n  Thi   đua \n"}, {"topics": ["Dân vận", "Thi đua"]}, {}),
    ({"date": "16/5/2008"}, {}, {"date": "Ngày cần viết dạng năm-tháng-ngày, ví dụ 2024-05-16."}),
    ({"date": "2008-02-30", "signer": "Lê B"}, {"signer": "Lê B"},
     {"date": "Ngày cần viết dạng năm-tháng-ngày, ví dụ 2024-05-16."}),
    ({"title": "x" * 1001}, {}, {"title": "Tối đa 1000 ký tự."}),
    ({"references": "\n".join(f"{n}-TB/TU" for n in range(101))}, {},
     {"references": "Tối đa 100 dòng, mỗi dòng tối đa 1000 ký tự."}),
])
def test_corrections(form, changes, problems):
    assert uploads.corrections(EXTRACTED, form) == (changes, problems)


# -- hostile names -------------------------------------------------------------------------------

HOSTILE_NAMES = [b"../../x.txt", b"/etc/passwd", b"..\\..\\x", b"a\x00b.txt", "x\u202egnp.txt".encode(),
                 b"..", b"...", b"A" * 3000 + b".txt", "C:\\Users\\Tệp.txt".encode(),
                 b"<img src=x onerror=alert(1)>.txt"]


def test_hostile_file_names_never_name_a_file_on_disk(editor_client, workspace_app, staging, tmp_path):
    response = _upload(editor_client, [(name, NOTICE.encode()) for name in HOSTILE_NAMES])
    assert response.status_code == 303
    items = _staged(workspace_app)
    assert len(items) == len(HOSTILE_NAMES) and {i.status for i in items} == {"ready"}
    # On disk: the token folders only, each with the generated name and the two JSON files.
    pattern = re.compile(r"[0-9a-f]{32}/(staged\.json|preview\.json|20\d\d-\d\d-\d\d-[0-9a-f]{12}\.txt)")
    assert all(pattern.fullmatch(path) for path in _files(staging)), _files(staging)
    assert set(_files(tmp_path)) - {os.path.relpath(os.path.join(staging, p), tmp_path) for p in _files(staging)} \
        <= {"workspace.sqlite3", "workspace.sqlite3-wal", "workspace.sqlite3-shm"}
    shown = {item.original_name for item in items}
    # Werkzeug reads a backslash in a quoted name as an escape: "..\\..\\x" arrives as "....x".
    assert {"x.txt", "passwd", "ab.txt", "xgnp.txt", upload_files.UNNAMED, "x", "C:UsersTệp.txt"} <= shown
    assert all(len(name) <= upload_files.MAX_NAME and not re.search(r"[\x00-\x1f/\\\u202e]", name) for name in shown)
    page = _page(editor_client.get(URL))
    assert "onerror=alert" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page and "\u202e" not in page


# -- hostile contents ----------------------------------------------------------------------------

SCRIPT = "<script>alert('x')</script>"


def test_html_uploaded_as_txt_is_kept_as_a_page_and_shown_escaped(editor_client, workspace_app):
    page = f"<!doctype html><html><head><title>{SCRIPT}</title></head><body><p>{SCRIPT}</p>" + \
        "".join(f"<p>{line}</p>" for line in NOTICE.splitlines()) + "</body></html>"
    response = _upload(editor_client, [("ghi chú.txt", page.encode())])
    assert response.status_code == 303
    (item,) = _staged(workspace_app)
    assert item.format == formats.HTML and item.stored_name.endswith(".html")
    assert item.download_name == "ghi chú.html" and item.preview["number"] == "77-TB/TU"
    for url in (URL, f"{URL}/{item.token}"):
        answer = editor_client.get(url)
        assert answer.mimetype == "text/html" and "<script" not in _page(answer)


def test_script_in_a_text_file_is_shown_escaped_in_every_field(editor_client, workspace_app):
    text = NOTICE.replace("KẾT LUẬN CỦA", f"KẾT LUẬN {SCRIPT} CỦA").replace("Tuy Phong\n", f"Tuy Phong {SCRIPT}\n")
    _upload(editor_client, [(f"{SCRIPT}.txt", text.encode())])
    (item,) = _staged(workspace_app)
    assert item.format == formats.TXT and SCRIPT in item.preview["title"]
    page = _page(editor_client.get(f"{URL}/{item.token}"))
    assert "<script" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "</textarea><script" not in page


def test_svg_is_never_a_picture_the_workspace_shows(editor_client, workspace_app):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">{SCRIPT}<text>{NOTICE}</text></svg>'
    _upload(editor_client, [("bản đồ.svg", svg.encode())])
    (item,) = _staged(workspace_app)
    assert item.format == formats.TXT and item.download_name == "bản đồ.svg.txt"  # text at most, never image/svg
    page = _page(editor_client.get(f"{URL}/{item.token}"))
    assert "<svg" not in page and "<script" not in page


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("setup.docx", b"MZ\x90\x00\x03" + bytes(range(256)) * 64, "tệp nhị phân"),
    ("ảnh.txt", b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64, "ảnh GIF"),
    ("nén.docx", b"Rar!\x1a\x07\x00" + b"\x00" * 64, "tệp nén RAR"),
    ("mật.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le"),
     "tệp Word có mật khẩu"),
    ("bảng.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "Workbook".encode("utf-16-le"), "Excel"),
    ("zip.docx", None, "không phải văn bản Word"),
    ("rỗng.txt", b"", "tệp rỗng"),
])
def test_what_the_indexer_cannot_read_is_refused_with_its_reason(editor_client, workspace_app, name, content,
                                                                  reason):
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", NOTICE)
        content = buffer.getvalue()
    assert _upload(editor_client, [(name, content)]).status_code == 303
    (item,) = _staged(workspace_app)
    assert item.status == "refused" and reason in item.reason
    assert set(os.listdir(item.folder)) <= {"staged.json", "preview.json"}  # the file itself is not kept
    page = _page(editor_client.get(f"{URL}/{item.token}"))
    assert uploads.NOT_READ in page and reason in page and 'class="upload-review"' not in page
    publish = editor_client.post(f"{URL}/{item.token}/cong-bo", data={"csrf_token": _token(editor_client)})
    assert publish.status_code == 409 and uploads.NOT_READ in _page(publish)


def test_a_zip_bomb_docx_is_refused(editor_client, workspace_app, tmp_path):
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b"<w:document><w:body><w:p><w:r><w:t>")
            for _ in range(260):  # 260 MB unpacked, over the reader's 256 MB
                part.write(b" " * MB)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    assert bomb.stat().st_size < MB
    _upload(editor_client, [("bom.docx", bomb.read_bytes())])
    (item,) = _staged(workspace_app)
    assert item.format == formats.DOCX and item.status == "refused" and "giải nén ra quá lớn" in item.reason


# -- sizes and counts ----------------------------------------------------------------------------

def test_a_file_over_the_limit_refuses_the_request_and_keeps_nothing(editor_client, workspace_app, staging):
    response = _upload(editor_client, [("nhỏ.txt", NOTICE.encode()), ("lớn.txt", b"a" * (MB + 1))])
    assert response.status_code == 413
    page = _page(response)
    assert "Tệp quá lớn" in page and "lớn.txt" in page and "tối đa 1 MB mỗi tệp" in page
    assert _files(staging) == [] and _actions(workspace_app, "upload") == []


def test_a_request_over_the_limit_gets_a_vietnamese_413_and_keeps_nothing(editor_client, workspace_app, staging):
    files = [(f"tệp {n}.txt", b"a" * (MB - 1000)) for n in range(4)]  # each under 1 MB, 4 MB in all
    response = _upload(editor_client, files)
    assert response.status_code == 413 and response.headers["Cache-Control"] == "no-store"
    page = _page(response)
    assert "Tệp quá lớn" in page and "mỗi lần tải lên tối đa 3 MB" in page and "Traceback" not in page
    answer = _upload(editor_client, files, headers={"Accept": "application/json"})
    assert answer.status_code == 413 and "Tệp quá lớn" in answer.get_json()["error"]
    assert _files(staging) == [] and _actions(workspace_app, "upload") == []


def test_too_many_files_in_one_request_are_refused(editor_client, workspace_app, staging):
    limit = workspace_app.config["UPLOAD_MAX_FILES"]
    response = _upload(editor_client, [(f"{n}.txt", b"x") for n in range(limit + 1)])
    assert response.status_code == 413 and f"tối đa {limit} tệp" in _page(response)
    # Far more parts than that stop the parser itself (which drops the parts it had read unclosed: in
    # memory, nothing on disk, but a ResourceWarning when collected).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        flood = _upload(editor_client, [(f"{n}.txt", b"x") for n in range(200)])
        gc.collect()
    assert flood.status_code == 413 and "Tệp quá lớn hoặc quá nhiều tệp" in _page(flood)
    assert _files(staging) == []


def test_no_file_chosen(editor_client, staging):
    response = _upload(editor_client, [("", b"")])
    assert response.status_code == 400 and "Chưa chọn tệp nào" in _page(response)
    assert _files(staging) == []


def test_the_limits_apply_to_the_upload_request_only(workspace_app):
    assert workspace_app.config["MAX_CONTENT_LENGTH"] is None
    limits = {}
    for method, path in (("GET", "/"), ("GET", "/tim-kiem"), ("POST", "/quan-tri/dang-nhap"), ("POST", URL),
                         ("POST", f"{URL}/{'0' * 32}/cong-bo")):
        with workspace_app.test_request_context(path, method=method), contextlib.suppress(HTTPException):
            try:
                workspace_app.preprocess_request()
            finally:
                limits[path] = request.max_content_length
    assert limits == {"/": None, "/tim-kiem": None, "/quan-tri/dang-nhap": None, URL: 3 * MB,
                      f"{URL}/{'0' * 32}/cong-bo": 1 * MB}


def test_the_default_limits(tmp_path):
    app = create_app({"TESTING": True, "WORKSPACE_DB": str(tmp_path / "w.sqlite3")})
    assert (app.config["UPLOAD_MAX_MB"], app.config["UPLOAD_MAX_FILES"], app.config["UPLOAD_EXPIRE_DAYS"]) == (50, 20, 7)
    assert app.config["UPLOAD_FOLDER"] == os.path.join(app.instance_path, "uploads")


# -- who may upload ------------------------------------------------------------------------------

def test_without_a_token_or_a_session_nothing_is_kept(editor_client, workspace_app, staging):
    forged = _upload(editor_client, [("a.txt", NOTICE.encode())], token=None)
    assert forged.status_code == 403
    anonymous = _upload(workspace_app.test_client(), [("a.txt", NOTICE.encode())], token="x" * 43)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/quan-tri/dang-nhap")
    assert _files(staging) == [] and _actions(workspace_app, "upload") == []


def test_an_unknown_or_malformed_token_is_404(editor_client):
    token = _token(editor_client)
    for bad in ("0" * 32, "..", "%2e%2e%2f%2e%2e%2fetc", "A" * 32, "0" * 31):
        assert editor_client.get(f"{URL}/{bad}").status_code == 404
        assert editor_client.post(f"{URL}/{bad}/huy", data={"csrf_token": token}).status_code == 404


# -- staging: list, discard, expiry, duplicates ---------------------------------------------------

def test_uploads_are_listed_with_who_when_and_status_and_logged(editor_client, workspace_app):
    response = _upload(editor_client, [("Thông báo 77.txt", NOTICE.encode()), ("ảnh.gif", b"GIF89a" + bytes(40))])
    assert response.status_code == 303 and response.headers["Location"] == URL
    page = _page(editor_client.get(URL))
    assert "Thông báo 77.txt" in page and "ảnh.gif" in page and "bientap" in page and "2025-06-15" in page
    assert "Chờ công bố" in page and "Không đọc được loại tệp này: tệp nhị phân (ảnh GIF" in page
    logged = sorted((e["detail"]["original_name"], e["detail"]["format"], e["detail"].get("refused") is not None)
                    for e in _actions(workspace_app, "upload"))
    assert logged == [("Thông báo 77.txt", "txt", False), ("ảnh.gif", None, True)]
    entry = next(e for e in _actions(workspace_app, "upload") if e["detail"]["format"] == "txt")
    item = next(i for i in _staged(workspace_app) if i.format == "txt")
    assert entry["doc_id"] == item.doc_id and entry["detail"] == {
        "original_name": "Thông báo 77.txt", "stored_name": item.stored_name, "format": "txt",
        "sha256": hashlib.sha256(NOTICE.encode()).hexdigest(), "size": len(NOTICE.encode())}
    assert editor_client.get(URL, headers={"Accept": "application/json"}).get_json()["uploads"][0]["uploader"] == "bientap"


def test_one_file_goes_to_its_preview_with_what_was_read(editor_client, workspace_app):
    response = _upload(editor_client, [("Thông báo 77.txt", NOTICE.encode())])
    (item,) = _staged(workspace_app)
    assert response.headers["Location"] == f"{URL}/{item.token}"
    form = _review_form(_page(editor_client.get(response.headers["Location"])))
    assert form["number"] == "77-TB/TU" and form["date"] == "2024-09-03"
    assert "Huyện ủy Tuy Phong" in form["units"].splitlines()


def test_a_reading_over_its_time_is_stopped_and_refused(editor_client, workspace_app):
    workspace_app.config["UPLOAD_READ_SECONDS"] = 0.05
    _upload(editor_client, [("chậm.txt", NOTICE.encode())])
    (item,) = _staged(workspace_app)
    assert item.status == "refused" and item.reason == "đọc tệp quá 0.05 giây nên đã dừng"
    assert set(os.listdir(item.folder)) == {"staged.json", "preview.json"}


def test_a_file_a_stopped_worker_left_unread_is_read_again(editor_client, workspace_app, workspace_clock, staging):
    with workspace_app.app_context():
        os.makedirs(staging)
        item = uploads.stage(get_db(), staging, io.BytesIO(NOTICE.encode()), "bỏ dở.txt", "bientap")
    page = _page(editor_client.get(f"{URL}/{item.token}"))
    assert "Đang đọc tệp" in page and '<meta http-equiv="refresh"' in page
    assert "workspace.upload_reader" not in workspace_app.extensions  # another worker may be reading it still
    workspace_clock.advance(seconds=workspace_app.config["UPLOAD_READ_SECONDS"] + 61)
    editor_client.get(f"{URL}/{item.token}")
    assert workspace_app.extensions["workspace.upload_reader"].wait([item.folder], timeout=120)
    assert uploads.find(staging, item.token).status == "ready"


def test_discard_removes_the_upload_and_logs_it(editor_client, workspace_app):
    _upload(editor_client, [("bỏ.txt", NOTICE.encode())])
    (item,) = _staged(workspace_app)
    response = editor_client.post(f"{URL}/{item.token}/huy", data={"csrf_token": _token(editor_client)})
    assert response.status_code == 303 and not os.path.exists(item.folder)
    assert editor_client.get(f"{URL}/{item.token}").status_code == 404
    (entry,) = _actions(workspace_app, "discard")
    assert (entry["actor"], entry["detail"]["original_name"], entry["detail"]["stored_name"]) == \
        ("bientap", "bỏ.txt", item.stored_name)


def _signed_in_again(app):
    client = app.test_client()
    sign_in(client, "bientap")  # days later: the first session has long ended
    return client


def test_uploads_expire_after_the_configured_days(editor_client, workspace_app, workspace_clock):
    _upload(editor_client, [("cũ.txt", NOTICE.encode())])
    workspace_clock.advance(hours=24 * workspace_app.config["UPLOAD_EXPIRE_DAYS"] - 1)
    assert "cũ.txt" in _page(_signed_in_again(workspace_app).get(URL))
    workspace_clock.advance(hours=2)
    assert "cũ.txt" not in _page(_signed_in_again(workspace_app).get(URL)) and _staged(workspace_app) == []
    (entry,) = _actions(workspace_app, "discard")
    assert entry["actor"] == "system" and entry["detail"]["reason"] == "quá 7 ngày chưa công bố"


def test_a_file_staged_twice_is_flagged(editor_client, workspace_app):
    _upload(editor_client, [("lần 1.txt", NOTICE.encode()), ("lần 2.txt", NOTICE.encode())])
    first, second = sorted(_staged(workspace_app), key=lambda i: i.original_name)
    page = _page(editor_client.get(f"{URL}/{second.token}"))
    assert "Trùng nội dung" in page and f'<a href="{URL}/{first.token}">lần 1.txt</a>' in page
    assert 'name="confirm_duplicate"' in page


# -- publishing ----------------------------------------------------------------------------------

def _publish(client, token: str, **fields):
    form = _review_form(_page(client.get(f"{URL}/{token}")))
    return client.post(f"{URL}/{token}/cong-bo", data={**form, **fields, "csrf_token": _token(client)})


def _wait_for_the_index(app):
    rebuilder = app.extensions["workspace.rebuilder"]
    assert rebuilder.wait(rebuilder.request(), timeout=180)
    assert rebuilder.last.ok, rebuilder.last.output


def test_a_word_file_with_a_vietnamese_name_reaches_the_public_search(editor_client, workspace_app, corpus,
                                                                      staging, tmp_path):
    content = _docx(tmp_path, read_seed(SEED).replace("503-TB/TU", "12-TB/TU"))
    response = _upload(editor_client, [(VIETNAMESE_NAME, content)])
    (item,) = _staged(workspace_app)
    preview = _page(editor_client.get(response.headers["Location"]))
    form = _review_form(preview)
    assert (form["number"], form["date"], form["signer"]) == ("12-TB/TU", "2008-05-16", "Huỳnh Đa Trung")
    assert "Trùng nội dung" not in preview and item.format == formats.DOCX
    title = "Ý kiến kết luận về chuyển đổi số trong khối doanh nghiệp"
    published = _publish(editor_client, item.token, title=title)
    assert published.status_code == 303 and published.headers["Location"] == f"{URL}?cong-bo={item.doc_id}"
    target = os.path.join(corpus, "tai-len", item.stored_name)
    assert sorted(os.listdir(os.path.dirname(target))) == sorted(
        [item.stored_name, item.stored_name + UPLOAD_SUFFIX, item.doc_id + ".meta.json"])
    with open(target, "rb") as f:
        assert f.read() == content and _files(staging) == []
    with open(os.path.join(corpus, "tai-len", item.doc_id + ".meta.json"), encoding="utf-8") as f:
        assert json.load(f) == {"title": title}  # only what the reviewer changed
    with open(target + UPLOAD_SUFFIX, encoding="utf-8") as f:
        companion = json.load(f)
    assert companion["original_name"] == VIETNAMESE_NAME and companion["uploader"] == "bientap"
    assert companion["sha256"] == item.sha256 and companion["size"] == len(content)
    (entry,) = _actions(workspace_app, "publish")
    assert entry["doc_id"] == item.doc_id and entry["detail"]["original_name"] == VIETNAMESE_NAME
    assert entry["detail"]["corrections"]["title"]["new"] == title
    assert f"Đã công bố “{VIETNAMESE_NAME}”" in _page(editor_client.get(published.headers["Location"]))

    _wait_for_the_index(workspace_app)
    public = workspace_app.test_client()
    hits = public.get("/api/search", query_string={"q": "12-TB/TU"}).get_json()["hits"]
    assert hits[0]["id"] == item.doc_id and hits[0]["title"] == title
    assert public.get("/api/search", query_string={"q": '"chuyển đổi số"'}).get_json()["hits"][0]["id"] == item.doc_id
    assert VIETNAMESE_NAME in _page(public.get(f"/van-ban/{item.doc_id}"))
    with public.get(f"/van-ban/{item.doc_id}/ban-goc") as download:
        assert download.status_code == 200 and download.data == content
        assert download.headers["Content-Disposition"] == (
            'attachment; filename="Thong bao ket luan so 12.docx"; '
            f"filename*=UTF-8''{quote(VIETNAMESE_NAME)}")


def test_a_copy_of_a_corpus_file_is_flagged_and_published_only_when_confirmed(editor_client, workspace_app, corpus):
    with open(os.path.join(corpus, SEED), "rb") as f:
        content = f.read()
    _upload(editor_client, [("bản sao.txt", content)])
    (item,) = _staged(workspace_app)
    page = _page(editor_client.get(f"{URL}/{item.token}"))
    assert f'<a href="/van-ban/{SEED[:-4]}">{SEED}</a>' in page
    refused = _publish(editor_client, item.token)
    assert refused.status_code == 409 and "Vẫn công bố" in _page(refused)
    assert not os.path.exists(os.path.join(corpus, "tai-len", item.stored_name))
    assert _publish(editor_client, item.token, confirm_duplicate="1").status_code == 303
    (entry,) = _actions(workspace_app, "publish")
    assert entry["detail"]["duplicate_of"] == [SEED]
    _wait_for_the_index(workspace_app)


def test_a_bad_correction_publishes_nothing(editor_client, workspace_app, corpus):
    _upload(editor_client, [("a.txt", NOTICE.encode())])
    (item,) = _staged(workspace_app)
    response = _publish(editor_client, item.token, date="3/9/2024")
    assert response.status_code == 400 and "năm-tháng-ngày" in _page(response)
    assert 'value="3/9/2024"' in _page(response)  # what the reviewer typed is kept
    assert not os.path.exists(os.path.join(corpus, "tai-len")) and os.path.isdir(item.folder)


def test_publishing_twice_publishes_once(editor_client, workspace_app, corpus):
    _upload(editor_client, [("a.txt", NOTICE.encode())])
    (item,) = _staged(workspace_app)
    form = {**_review_form(_page(editor_client.get(f"{URL}/{item.token}"))), "csrf_token": _token(editor_client)}
    assert editor_client.post(f"{URL}/{item.token}/cong-bo", data=form).status_code == 303
    assert editor_client.post(f"{URL}/{item.token}/cong-bo", data=form).status_code == 404
    assert len(_actions(workspace_app, "publish")) == 1
    _wait_for_the_index(workspace_app)


def test_a_staging_folder_inside_the_corpus_is_refused(editor_client, workspace_app, corpus):
    workspace_app.config["UPLOAD_FOLDER"] = os.path.join(corpus, "tai-len-tam")
    response = _upload(editor_client, [("a.txt", NOTICE.encode())])
    assert response.status_code == 500 and "UPLOAD_FOLDER" in _page(response)
    assert not os.path.exists(os.path.join(corpus, "tai-len-tam"))
    with pytest.raises(uploads.UploadError, match="UPLOAD_FOLDER"):
        uploads.publish_folder(corpus, os.path.join(corpus, "uploads"))
    with pytest.raises(uploads.UploadError, match="UPLOAD_FOLDER"):
        uploads.publish_folder(corpus, os.path.dirname(corpus))
    staging = os.path.join(os.path.dirname(os.path.dirname(corpus)), "instance", "uploads")
    assert uploads.publish_folder(corpus, staging) == os.path.join(os.path.realpath(corpus), "tai-len")


def test_without_a_corpus_folder_nothing_can_be_published(editor_client, workspace_app):
    _upload(editor_client, [("a.txt", NOTICE.encode())])
    (item,) = _staged(workspace_app)
    assert "Chưa công bố được" in _page(editor_client.get(URL))
    response = _publish(editor_client, item.token)
    assert response.status_code == 409 and "Chưa công bố được" in _page(response) and os.path.isdir(item.folder)


# -- the indexer's side --------------------------------------------------------------------------

def test_the_indexer_names_an_uploaded_original_by_its_companion(tmp_path):
    path = tmp_path / "2025-06-15-0123456789ab.docx"
    path.write_bytes(b"PK")
    assert original_file(str(path))["name"] == path.name
    companion = tmp_path / (path.name + UPLOAD_SUFFIX)
    companion.write_text(json.dumps({"original_name": "setup.exe", "download_name": "setup.exe.docx"}), "utf-8")
    assert original_file(str(path))["name"] == "setup.exe.docx"
    for broken in ("{", "[]", json.dumps({"download_name": 5}), json.dumps({"original_name": "  "})):
        companion.write_text(broken, "utf-8")
        assert original_file(str(path))["name"] == path.name


def test_the_source_scanner_ignores_companions(tmp_path):
    (tmp_path / "tai-len").mkdir()
    notice = tmp_path / "tai-len" / "2025-06-15-0123456789ab.txt"
    notice.write_text(NOTICE, "utf-8")
    (tmp_path / "tai-len" / (notice.name + UPLOAD_SUFFIX)).write_text("{}", "utf-8")
    files, skipped = scan_corpus(str(tmp_path))
    assert [f.paths for f in files] == [(str(notice),)] and skipped == []
