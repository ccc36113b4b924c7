"""Corrections in the workspace: the review page, the sidecar a save writes, optimistic locking,
the audit log, undo, the collection's history, and a correction reaching the public search."""

import html.parser
import json
import os
import re
import shutil
import stat
import threading

import pytest
from flask import current_app

from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.vocab import load_vocabulary
from portal.views import admin_notices
from portal.workspace import audit
from portal.workspace import edits
from portal.workspace import rebuilder
from portal.workspace.db import get_db
from tests.workspace_fixtures import make_user
from tests.workspace_fixtures import page_token
from tests.workspace_fixtures import sign_in

DOC = "004_abab5fe7c577bb0b"
BULK_DOC = "tin-hang-loat-1"
BULK_RECORD = {"id": BULK_DOC, "title": "Tin nhập hàng loạt về Huyện ủy Tuy Phong",
               "text": "Ngày 5/6/2014, đồng chí Lê Tiến Phương làm việc với Huyện ủy Tuy Phong."}
REVIEW = f"/quan-tri/van-ban/{DOC}"
HISTORY = "/quan-tri/lich-su"
STATUS = "/quan-tri/cap-nhat/trang-thai"
SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
_HIDDEN = re.compile(r'<input type="hidden" name="(version|generation)" value="([^"]*)"')
_UNDO = re.compile(r'<form method="post" action="([^"]+/hoan-tac/(\d+))"')


class _ActiveContent(html.parser.HTMLParser):
    """Collect what a browser would run or fetch from a page: scripts not from /static, images, on* handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.found.append(tag)
        if tag == "img":
            self.found.append(tag)
        self.found.extend(f"{tag}[{name}]" for name, _ in attrs if name.lower().startswith("on"))


def _active(page: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(page)
    return parser.found


# -- a collection of its own for every test: the four notices, one bulk record, built once ---------

@pytest.fixture(scope="module")
def built_collection(tmp_path_factory):
    """The embedded corpus and a bulk record, indexed once per module (tests get copies)."""
    root = tmp_path_factory.mktemp("collection")
    shutil.copytree(os.path.join(os.path.dirname(os.path.dirname(__file__)), "corpus"), root / "corpus")
    (root / "bulk.jsonl").write_text(json.dumps(BULK_RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
    build_index(BuildOptions(index=str(root / "index"), corpus=str(root / "corpus" / "notices"),
                             jsonl=(str(root / "bulk.jsonl"),), vocab=str(root / "corpus"), procs=1),
                load_vocabulary(str(root / "corpus")))
    return root


def _relocated(template, target) -> None:
    """Copy a built collection and point its manifest at the copy's own files."""
    shutil.copytree(template, target, copy_function=shutil.copy2)
    store = IndexStore(str(target / "index"))
    manifest = store.read_manifest()
    old_bulk, new_bulk = str(template / "bulk.jsonl"), str(target / "bulk.jsonl")
    manifest["sources"] = {"corpus": str(target / "corpus" / "notices"), "jsonl": [new_bulk],
                           "vocab": str(target / "corpus")}
    manifest["bulk"] = {new_bulk: manifest["bulk"][old_bulk]}
    for entry in manifest["docs"].values():
        if entry.get("bulk") == old_bulk:
            entry["bulk"] = new_bulk
    store.update_manifest(manifest)


@pytest.fixture
def collection(built_collection, tmp_path):
    _relocated(built_collection, tmp_path / "collection")
    return tmp_path / "collection"


@pytest.fixture
def workspace_config(workspace_config, collection):
    return {**workspace_config, "INDEX_PATH": str(collection / "index")}


@pytest.fixture
def sidecar(collection):
    return collection / "corpus" / "notices" / f"{DOC}.meta.json"


def _form(client, url: str = REVIEW) -> dict:
    """What the browser posts back from the review page: tokens and every field as shown."""
    page = client.get(url).get_data(as_text=True)
    data = dict(_HIDDEN.findall(page))
    data["csrf_token"] = page_token(page)
    return data


def _save(client, **fields):
    return client.post(REVIEW, data={**_form(client), **fields})


def _entries(app, **filters) -> list[dict]:
    with app.app_context():
        return audit.recent(get_db(), filters=filters or None)


def _wait(app, response) -> None:
    """Wait for the index update a save asked for (its ticket is in the redirect)."""
    ticket = int(re.search(r"phieu=(\d+)", response.headers["Location"]).group(1))
    assert rebuilder(app).wait(ticket, timeout=300)
    assert rebuilder(app).last.ok, rebuilder(app).last.output


# -- the review page ---------------------------------------------------------------------------------

def test_the_review_page_shows_each_value_beside_the_span_it_came_from(editor_client, workspace_app):
    page = editor_client.get(REVIEW).get_data(as_text=True)
    with workspace_app.app_context():
        from portal import search  # noqa: PLC0415

        stored = search.stored_notice(DOC)
    provenance = stored["meta"]["provenance"]
    signer = next(i for i, r in enumerate(provenance) if r["field"] == "signer")
    record = provenance[signer]
    link = re.search(rf'<a class="source-link" href="#nguon-{signer}" data-span="{signer}">([^<]*)</a>', page)
    assert link and link.group(1) == record["value"]
    # The anchor opens the text piece holding the value, marked as covered by that span.
    piece = re.search(rf'<span class="anchor" id="nguon-{signer}"></span><mark data-spans="[^"]*\b{signer}\b[^"]*">'
                      r"([^<]*)</mark>", page)
    assert piece and stored["text"][record["start"]:record["end"]].startswith(piece.group(1))
    from indexer.provenance import rule_label  # noqa: PLC0415

    assert rule_label(record["rule"]) in page
    assert '<script src="/static/admin-notice.js' in page


def test_the_text_is_cut_where_spans_begin_and_end():
    text = "Số 12 năm 2008 ký"
    provenance = [{"field": "number", "start": 0, "end": 5}, {"field": "date", "start": 3, "end": 14},
                  {"field": "x", "start": 10, "end": 99}, {"field": "y"}]
    pieces, kept = admin_notices.segments(text, provenance)
    assert kept == {0, 1}
    assert pieces == [
        {"text": "Số ", "spans": "0", "anchors": ["nguon-0"]},
        {"text": "12", "spans": "0 1", "anchors": ["nguon-1"]},
        {"text": " năm 2008", "spans": "1", "anchors": []},
        {"text": " ký", "spans": "", "anchors": []},
    ]
    assert "".join(p["text"] for p in pieces) == text


def test_without_provenance_the_page_shows_the_values_without_spans(editor_client, workspace_app, monkeypatch):
    from portal import search  # noqa: PLC0415

    original = search.stored_notice

    def without(doc_id):
        stored = original(doc_id)
        return stored and {**stored, "meta": {k: v for k, v in stored["meta"].items() if k != "provenance"}}

    monkeypatch.setattr(search, "stored_notice", without)
    response = editor_client.get(REVIEW)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<mark" not in page and "Huỳnh Đa Trung" in page and "Không rõ nguồn" in page


def test_the_review_page_shows_the_origin_and_warnings(editor_client):
    page = editor_client.get(REVIEW).get_data(as_text=True)
    assert "Tệp văn bản (.txt)" in page and "Chữ có sẵn trong tệp" in page
    assert "Nguồn văn bản" in page


@pytest.mark.parametrize("doc_id", ["khong-co-van-ban-nay", "..%2F..%2Fetc", "..%2F..%2Fetc%2Fpasswd",
                                    "%2e%2e", "..", "004_abab5fe7c577bb0b%2F..%2F..%2Fx", "%00"])
def test_unknown_and_traversing_ids_are_404(editor_client, doc_id):
    for response in (editor_client.get(f"/quan-tri/van-ban/{doc_id}"),
                     editor_client.post(f"/quan-tri/van-ban/{doc_id}", data=_form(editor_client))):
        assert response.status_code == 404


def test_a_bulk_record_is_shown_read_only_and_refuses_edits(editor_client, workspace_app, collection):
    url = f"/quan-tri/van-ban/{BULK_DOC}"
    page = editor_client.get(url).get_data(as_text=True)
    assert admin_notices.BULK in page and 'class="edit-form"' not in page
    assert "Lê Tiến Phương" in page
    before = sorted(os.listdir(collection)) + sorted(os.listdir(collection / "corpus" / "notices"))
    response = editor_client.post(url, data={**_form(editor_client), "signer": "Ai Đó", "version": edits.EMPTY_VERSION})
    assert response.status_code == 409 and admin_notices.BULK in response.get_data(as_text=True)
    assert sorted(os.listdir(collection)) + sorted(os.listdir(collection / "corpus" / "notices")) == before
    assert _entries(workspace_app, action="edit") == []


def test_the_form_offers_the_vocabularys_names_and_sees_a_vocabulary_change(editor_client, collection):
    page = editor_client.get(REVIEW).get_data(as_text=True)
    assert re.search(r'<datalist id="ds-nguoi">.*<option value="Lê Tiến Phương">.*</datalist>', page)
    assert re.search(r'<datalist id="ds-don-vi">.*<option value="Đảng ủy khối Doanh nghiệp">', page)
    assert re.search(r'<datalist id="ds-chu-de">.*<option value="Phát triển đảng viên">', page)
    assert 'name="signer" value="Huỳnh Đa Trung" type="text" list="ds-nguoi"' in page
    people = collection / "corpus" / "people.toml"
    people.write_text(people.read_text(encoding="utf-8") + '\n[[person]]\nname = "Trần Mới Thêm"\naliases = []\n',
                      encoding="utf-8")
    os.utime(people, ns=(os.stat(people).st_atime_ns, os.stat(people).st_mtime_ns + 10**9))
    assert '<option value="Trần Mới Thêm">' in editor_client.get(REVIEW).get_data(as_text=True)


# -- saving: the sidecar -------------------------------------------------------------------------------

def test_a_save_writes_only_what_differs_from_the_extraction(editor_client, sidecar):
    form = _form(editor_client)
    page = editor_client.get(REVIEW).get_data(as_text=True)
    shown = {name: value for name, value in re.findall(r'<input id="truong-(\w+)" name="\w+" value="([^"]*)"', page)}
    assert shown["signer"] == "Huỳnh Đa Trung"
    response = editor_client.post(REVIEW, data={**form, **shown, "signer": "Nguyễn Văn Sửa"})
    assert response.status_code == 303 and "da-luu=1" in response.headers["Location"]
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Nguyễn Văn Sửa"}
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert admin_notices.SAVED in page and 'id="update-status"' in page


def test_a_save_merges_into_the_sidecars_other_keys_and_keeps_its_mode(editor_client, sidecar):
    sidecar.write_text(json.dumps({"ghi_chu": "giữ nguyên", "title": "Tiêu đề sửa tay"}, ensure_ascii=False),
                       encoding="utf-8")
    os.chmod(sidecar, 0o640)
    assert _save(editor_client, signer="Nguyễn Văn Sửa", units="Huyện ủy Tuy Phong\nĐảng ủy khối Doanh nghiệp",
                 date="2008-05-17").status_code == 303
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {
        "ghi_chu": "giữ nguyên", "title": "Tiêu đề sửa tay", "signer": "Nguyễn Văn Sửa",
        "units": ["Huyện ủy Tuy Phong", "Đảng ủy khối Doanh nghiệp"], "date": "2008-05-17"}
    assert stat.S_IMODE(os.stat(sidecar).st_mode) == 0o640


def test_a_new_sidecar_takes_the_notice_files_mode_and_no_temporary_file_stays(editor_client, sidecar):
    folder = sidecar.parent
    os.chmod(folder / f"{DOC}.txt", 0o604)
    before = set(os.listdir(folder))
    assert _save(editor_client, signer="Nguyễn Văn Sửa").status_code == 303
    assert set(os.listdir(folder)) == before | {sidecar.name}
    assert stat.S_IMODE(os.stat(sidecar).st_mode) == 0o604


def test_a_field_set_back_to_its_extracted_value_is_dropped_and_an_empty_sidecar_removed(editor_client, sidecar):
    _save(editor_client, signer="Nguyễn Văn Sửa", place="Hàm Tân")
    assert set(json.loads(sidecar.read_text(encoding="utf-8"))) == {"signer", "place"}
    _save(editor_client, signer="Huỳnh  Đa Trung")  # spacing aside, what extraction read
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"place": "Hàm Tân"}
    _save(editor_client, place="Phan Thiết")
    assert not sidecar.exists()


def test_a_field_extracted_before_an_index_update_is_still_known_after_it(editor_client, workspace_app, sidecar):
    response = _save(editor_client, signer="Nguyễn Văn Sửa", units="")
    _wait(workspace_app, response)  # the index now holds the overrides: what extraction read comes from the log
    page = editor_client.get(REVIEW).get_data(as_text=True)
    assert "Trích xuất đọc được: Huỳnh Đa Trung" in page
    assert "Trích xuất đọc được: Đảng ủy khối Doanh nghiệp" in page
    assert 'class="source-value">(trống)</span>' in page  # the emptied list, as the index marks it
    _save(editor_client, signer="Huỳnh Đa Trung", units="Đảng ủy khối Doanh nghiệp")
    assert not sidecar.exists()


def test_a_field_whose_extraction_is_unknown_shows_the_indexs_value_and_is_not_written_untouched(
        editor_client, workspace_app, sidecar):
    sidecar.write_text('{"signer": "Người Sửa Tay"}', encoding="utf-8")  # by hand, not logged
    updater = rebuilder(workspace_app)
    assert updater.wait(updater.request(), timeout=300) and updater.last.ok
    sidecar.unlink()  # and taken away by hand, the index not yet updated: what extraction read is unknown
    page = editor_client.get(REVIEW).get_data(as_text=True)
    shown = dict(re.findall(r'<input id="truong-(\w+)" name="\w+" value="([^"]*)"', page))
    assert shown["signer"] == "Người Sửa Tay" and "Trích xuất đọc được" not in page
    untouched = editor_client.post(REVIEW, data={**_form(editor_client), **shown})
    assert "khong-doi=1" in untouched.headers["Location"] and not sidecar.exists()
    _save(editor_client, signer="Người Khác")
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Người Khác"}
    _save(editor_client, signer="Người Sửa Tay")  # back to the index's value: kept, it may not be the extraction
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Người Sửa Tay"}
    assert "signer" not in _entries(workspace_app, action="edit")[0]["detail"]["extracted"]  # never taken for it


def test_an_unchanged_form_writes_nothing(editor_client, workspace_app, sidecar):
    response = _save(editor_client, signer="Huỳnh Đa Trung")
    assert response.status_code == 303 and "khong-doi=1" in response.headers["Location"]
    assert not sidecar.exists() and _entries(workspace_app, action="edit") == []


@pytest.mark.parametrize("fields, problem", [
    ({"date": "2021-02-30"}, "Ngày ban hành: cần một ngày có thật"),
    ({"meeting_date": "16/05/2008"}, "Ngày họp: cần một ngày có thật"),
    ({"date": "1200-01-01"}, "nằm ngoài khoảng"),
    ({"signer": "Nguyễn\x00Văn"}, "Người ký: có ký tự điều khiển"),
    ({"title": "Tiêu đề \u202egnol"}, "Tiêu đề: có ký tự điều khiển"),
    ({"units": "Huyện ủy Tuy Phong\nĐơn vị\x07 chuông"}, "Đơn vị: có ký tự điều khiển"),
    ({"signer": "x" * 301}, "Người ký: dài quá 300 ký tự"),
    ({"title": "x" * 1001}, "Tiêu đề: dài quá 1000 ký tự"),
    ({"references": "\n".join(f"{n}-TB/TU" for n in range(51))}, "nhiều quá 50 dòng"),
    ({"version": "không phải mã"}, admin_notices.BAD_FORM),
])
def test_invalid_values_are_refused_in_vietnamese_and_kept_in_the_form(editor_client, workspace_app, sidecar,
                                                                       fields, problem):
    response = _save(editor_client, **{"place": "Hàm Tân", **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and problem in page
    assert 'name="place" value="Hàm Tân"' in page
    assert not sidecar.exists() and _entries(workspace_app, action="edit") == []


def test_values_are_stored_exactly_and_rendered_escaped(editor_client, sidecar):
    hostile = {"signer": SCRIPT, "title": IMAGE, "units": f"{SCRIPT}\n{IMAGE}"}
    assert _save(editor_client, **hostile).status_code == 303
    stored = json.loads(sidecar.read_text(encoding="utf-8"))
    assert stored["signer"] == SCRIPT and stored["title"] == IMAGE and stored["units"] == [SCRIPT, IMAGE]
    for url in (REVIEW, HISTORY):
        page = editor_client.get(url).get_data(as_text=True)
        assert SCRIPT not in page and _active(page) == []
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# -- saving: two archivists, one notice ---------------------------------------------------------------

@pytest.fixture
def second_editor(workspace_app):
    make_user(workspace_app, "bientap2")
    client = workspace_app.test_client()
    assert sign_in(client, "bientap2").status_code == 303
    return client


def test_the_second_save_is_refused_with_what_changed_and_nothing_lost(editor_client, second_editor,
                                                                        workspace_app, sidecar):
    mine, theirs = _form(editor_client), _form(second_editor)
    assert second_editor.post(REVIEW, data={**theirs, "signer": "Người Sửa Trước"}).status_code == 303
    response = editor_client.post(REVIEW, data={**mine, "signer": "Người Sửa Sau", "place": "Hàm Tân"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Người Sửa Trước"}
    conflict = page.split('class="conflict"')[1].split("</section>")[0]
    assert "<td>Người ký</td><td>Huỳnh Đa Trung</td><td>Người Sửa Trước</td><td>Người Sửa Sau</td>" in conflict
    assert "bientap2" in conflict
    # The archivist's values are in the form, which now carries the version on disk: saving again wins.
    assert 'name="signer" value="Người Sửa Sau"' in page and 'name="place" value="Hàm Tân"' in page
    again = dict(_HIDDEN.findall(page))
    assert again["version"] == edits.version_of(sidecar.read_text(encoding="utf-8"))
    retry = editor_client.post(REVIEW, data={**mine, **again, "signer": "Người Sửa Sau", "place": "Hàm Tân"})
    assert retry.status_code == 303
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Người Sửa Sau", "place": "Hàm Tân"}


def test_a_sidecar_changed_outside_the_workspace_is_a_conflict_too(editor_client, sidecar):
    form = _form(editor_client)
    sidecar.write_text('{"place": "Sửa bằng tay"}', encoding="utf-8")
    response = editor_client.post(REVIEW, data={**form, "signer": "Nguyễn Văn Sửa"})
    assert response.status_code == 409 and "ngoài trang quản trị" in response.get_data(as_text=True)
    assert sidecar.read_text(encoding="utf-8") == '{"place": "Sửa bằng tay"}'


def test_a_broken_sidecar_is_never_overwritten(editor_client, sidecar):
    sidecar.write_text("{không phải json", encoding="utf-8")
    response = _save(editor_client, signer="Nguyễn Văn Sửa")
    assert response.status_code == 409 and "không phải JSON hợp lệ" in response.get_data(as_text=True)
    assert sidecar.read_text(encoding="utf-8") == "{không phải json"


def test_a_sidecar_that_cannot_be_written_changes_nothing_and_keeps_the_values(editor_client, workspace_app,
                                                                             sidecar, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(edits.os, "replace", full_disk)
    response = _save(editor_client, signer="Nguyễn Văn Sửa")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and admin_notices.NOT_WRITTEN in page
    assert 'name="signer" value="Nguyễn Văn Sửa"' in page
    assert sorted(os.listdir(sidecar.parent)) == sorted(f for f in os.listdir(sidecar.parent) if not f.startswith("."))
    assert not sidecar.exists() and _entries(workspace_app, action="edit") == []


def test_saves_racing_on_one_version_let_exactly_one_through(workspace_app, tmp_path):
    notice = tmp_path / "a.txt"
    notice.write_text("x", encoding="utf-8")
    target = edits.Target("a", str(notice), str(tmp_path / "a.meta.json"), str(tmp_path / "locks"))
    extracted = dict.fromkeys(edits.FIELDS)
    start, outcomes = threading.Barrier(6), []

    def one(n: int) -> None:
        with workspace_app.app_context():
            start.wait()
            try:
                edits.save(get_db(), f"nguoi-{n}", target, {"place": f"Nơi {n}"}, edits.EMPTY_VERSION, extracted)
                outcomes.append(n)
            except edits.Conflict:
                outcomes.append(None)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for n in outcomes if n is not None]
    assert len(outcomes) == 6 and len(winners) == 1
    assert json.loads((tmp_path / "a.meta.json").read_text(encoding="utf-8")) == {"place": f"Nơi {winners[0]}"}
    assert [e["actor"] for e in _entries(workspace_app, action="edit")] == [f"nguoi-{winners[0]}"]


# -- the audit log and undo ------------------------------------------------------------------------

def test_every_save_is_one_audit_row_with_old_and_new_values(editor_client, workspace_app, sidecar):
    _save(editor_client, signer="Nguyễn Văn Sửa")
    first = sidecar.read_text(encoding="utf-8")
    _save(editor_client, place="Hàm Tân")
    rows = _entries(workspace_app, action="edit")
    assert [(r["actor"], r["doc_id"]) for r in rows] == [("bientap", DOC)] * 2
    assert rows[1]["detail"]["fields"] == {"signer": {"old": "Huỳnh Đa Trung", "new": "Nguyễn Văn Sửa"}}
    assert rows[1]["detail"]["sidecar_before"] is None and rows[1]["detail"]["sidecar_after"] == first
    assert rows[0]["detail"]["fields"] == {"place": {"old": "Phan Thiết", "new": "Hàm Tân"}}
    assert rows[0]["detail"]["sidecar_before"] == first
    assert rows[0]["detail"]["sidecar_after"] == sidecar.read_text(encoding="utf-8")
    with workspace_app.app_context():
        assert audit.verify_chain(get_db()).ok


def _undo_url(client, entry_id: int, url: str = REVIEW) -> str | None:
    page = client.get(url).get_data(as_text=True)
    return next((action for action, number in _UNDO.findall(page) if int(number) == entry_id), None)


def _post_undo(client, entry_id: int, **data):
    token = _form(client)["csrf_token"]
    return client.post(f"{REVIEW}/hoan-tac/{entry_id}", data={"csrf_token": token, **data})


def test_undo_restores_the_previous_sidecar_and_is_itself_logged(editor_client, workspace_app, sidecar):
    _save(editor_client, signer="Nguyễn Văn Sửa")
    edit = _entries(workspace_app, action="edit")[0]
    assert _undo_url(editor_client, edit["id"]) == f"{REVIEW}/hoan-tac/{edit['id']}"
    response = _post_undo(editor_client, edit["id"])
    assert response.status_code == 303 and "da-hoan-tac=1" in response.headers["Location"]
    assert not sidecar.exists()
    undo = _entries(workspace_app, action="undo")[0]
    assert undo["detail"]["undoes"] == edit["id"]
    assert undo["detail"]["fields"] == {"signer": {"old": "Nguyễn Văn Sửa", "new": "Huỳnh Đa Trung"}}
    assert undo["detail"]["sidecar_before"] == edit["detail"]["sidecar_after"]
    assert undo["detail"]["sidecar_after"] is None
    _post_undo(editor_client, undo["id"])  # undoing the undo brings the correction back
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Nguyễn Văn Sửa"}


def test_undo_after_later_changes_asks_first_showing_the_difference(editor_client, workspace_app, sidecar):
    _save(editor_client, signer="Nguyễn Văn Sửa")
    edit = _entries(workspace_app, action="edit")[0]
    _save(editor_client, place="Hàm Tân")
    response = _post_undo(editor_client, edit["id"])
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Văn bản đã thay đổi sau lần sửa" in page
    assert "<td>Địa danh</td><td>Phan Thiết</td><td>Hàm Tân</td>" in page
    assert json.loads(sidecar.read_text(encoding="utf-8")) == {"signer": "Nguyễn Văn Sửa", "place": "Hàm Tân"}
    confirm = re.search(r'name="confirm" value="([0-9a-f]{64})"', page).group(1)
    assert _post_undo(editor_client, edit["id"], confirm=confirm).status_code == 303
    assert not sidecar.exists()  # as it was before that change: no sidecar at all


def test_a_stale_confirmation_is_refused_again(editor_client, workspace_app, sidecar):
    _save(editor_client, signer="Nguyễn Văn Sửa")
    edit = _entries(workspace_app, action="edit")[0]
    _save(editor_client, place="Hàm Tân")
    confirm = re.search(r'name="confirm" value="([0-9a-f]{64})"',
                        _post_undo(editor_client, edit["id"]).get_data(as_text=True)).group(1)
    _save(editor_client, place="La Gi")
    assert _post_undo(editor_client, edit["id"], confirm=confirm).status_code == 409
    assert json.loads(sidecar.read_text(encoding="utf-8"))["place"] == "La Gi"


def test_an_editor_undoes_only_their_own_changes_an_admin_anyones(editor_client, second_editor, admin_client,
                                                                   workspace_app, sidecar):
    _save(second_editor, signer="Nguyễn Văn Sửa")
    edit = _entries(workspace_app, action="edit")[0]
    assert _undo_url(editor_client, edit["id"]) is None
    response = _post_undo(editor_client, edit["id"])
    assert response.status_code == 403 and admin_notices.FORBIDDEN_UNDO in response.get_data(as_text=True)
    assert sidecar.exists()
    assert _undo_url(admin_client, edit["id"]) is not None
    assert _post_undo(admin_client, edit["id"]).status_code == 303
    assert not sidecar.exists()
    assert _entries(workspace_app, action="undo")[0]["actor"] == "quantri"


def test_only_changes_of_this_notice_can_be_undone_here(editor_client, workspace_app):
    sign_in_row = _entries(workspace_app, action="sign-in")[0]
    assert _post_undo(editor_client, sign_in_row["id"]).status_code == 404  # not this notice's row
    assert _post_undo(editor_client, 999_999).status_code == 404


# -- the collection's history -------------------------------------------------------------------------

def _log(app, count: int, clock=None, **row) -> None:
    with app.app_context():
        for n in range(count):
            audit.record(get_db(), row.get("actor", "bientap"), row.get("action", "edit"), row.get("doc_id", DOC),
                         {"fields": {"place": {"old": f"Nơi {n}", "new": f"Nơi {n + 1}"}},
                          "sidecar_before": None, "sidecar_after": None})
            if clock:
                clock.advance(hours=1)


def test_the_history_pages_through_the_log_newest_first(editor_client, workspace_app):
    _log(workspace_app, 60)
    first = editor_client.get(HISTORY).get_data(as_text=True)
    ids = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert 'rel="next" href="/quan-tri/lich-su?page=2"' in first
    second = editor_client.get(f"{HISTORY}?page=2").get_data(as_text=True)
    later = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", second)]
    assert later and max(later) < min(ids) and 'rel="prev"' in second


def test_the_history_filters_by_actor_action_notice_and_dates(workspace_app, workspace_clock):
    _log(workspace_app, 3, workspace_clock, actor="ai-do", doc_id="001_dddd422e47ca07c7")
    workspace_clock.advance(hours=24 * 3)
    _log(workspace_app, 2, workspace_clock, actor="nguoi-khac", action="undo")
    make_user(workspace_app, "bientap")
    editor_client = workspace_app.test_client()
    sign_in(editor_client, "bientap")  # after the clock moved on: a session lasts 8 hours

    def rows(**query):
        page = editor_client.get(HISTORY, query_string=query).get_data(as_text=True)
        return re.findall(r"<tr><td>\d+</td><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", page)

    assert set(rows(actor="ai-do")) == {("ai-do", "Sửa siêu dữ liệu")} and len(rows(actor="ai-do")) == 3
    assert rows(action="undo") == [("nguoi-khac", "Hoàn tác")] * 2
    assert len(rows(doc="001_dddd422e47ca07c7")) == 3
    # The clock starts at 2025-06-15 15:06:40 UTC (22:06:40 in Vietnam): the first rows are on the 15th and 16th there.
    assert len(rows(**{"from": "2025-06-15", "to": "2025-06-15", "actor": "ai-do"})) == 2
    assert len(rows(**{"from": "2025-06-16", "actor": "ai-do"})) == 1
    assert len(rows(**{"from": "2025-06-18", "to": "2025-06-19", "action": "undo"})) == 2
    assert rows(**{"from": "2025-06-18", "to": "2025-06-18"}) == []
    assert rows(**{"from": "không phải ngày", "actor": "nguoi-khac"}) == [("nguoi-khac", "Hoàn tác")] * 2


def test_history_times_read_in_vietnam_time_and_other_actions_in_words(editor_client, workspace_app):
    _log(workspace_app, 1)
    page = editor_client.get(HISTORY, query_string={"action": "edit"}).get_data(as_text=True)
    assert "<td>15/06/2025 22:06:40</td>" in page
    signed_in = editor_client.get(HISTORY, query_string={"action": "sign-in"}).get_data(as_text=True)
    assert "<td>Đăng nhập</td>" in signed_in and "<li>Địa chỉ máy: 127.0.0.1</li>" in signed_in


def test_history_names_every_part_s_actions_and_roles_in_vietnamese(admin_client, workspace_app):
    with workspace_app.app_context():
        db = get_db()
        audit.record(db, "quantri", "merge", detail={"canonical": "Huyện ủy Tuy Phong", "variants": ["HU Tuy Phong"],
                                                     "before": "[[unit]]\nname = 'x'\n" * 50})
        audit.record(db, "cli:root", "user.add", detail={"name": "moi", "role": "editor"})
        audit.record(db, "bientap", "review", "van-ban-1", {"version": "abc"})
    page = admin_client.get(HISTORY).get_data(as_text=True)
    assert "<td>Gộp tên gọi</td>" in page and "Tên chuẩn: Huyện ủy Tuy Phong" in page
    assert "[[unit]]" not in page  # the vocabulary file a merge keeps for its undo is not listed
    assert "Vai trò: Biên tập viên" in page and "<td>Đánh dấu đã kiểm tra</td>" in page


def test_the_history_page_escapes_what_it_shows(editor_client, workspace_app):
    with workspace_app.app_context():
        audit.record(get_db(), SCRIPT, "edit", DOC, {"fields": {"signer": {"old": IMAGE, "new": SCRIPT}},
                                                       "sidecar_before": None, "sidecar_after": None})
    page = editor_client.get(HISTORY).get_data(as_text=True)
    assert SCRIPT not in page and _active(page) == [] and "&lt;img src=x onerror=alert(1)&gt;" in page


# -- a correction reaching the public search, and back -------------------------------------------------

def _signer_facet(client, **query) -> dict:
    answer = client.get("/api/search", query_string=query).get_json()
    return {entry["value"]: entry["count"] for entry in answer["facets"]["signer"]}


def test_a_corrected_signer_reaches_the_public_facet_and_undo_brings_it_back(editor_client, workspace_app,
                                                                             monkeypatch):
    from portal import search  # noqa: PLC0415

    public = workspace_app.test_client()
    before = _signer_facet(public)
    assert before.get("Huỳnh Đa Trung") and "Nguyễn Văn Sửa" not in before
    store, served = IndexStore(workspace_app.config["INDEX_PATH"]), search.browse_years
    opened = []

    def browse_years():  # threads left by other tests' apps call it too: only this app's calls count
        if current_app.config["INDEX_PATH"] == workspace_app.config["INDEX_PATH"]:
            opened.append(store.current_name())
        return served()

    monkeypatch.setattr(search, "browse_years", browse_years)
    response = _save(editor_client, signer="Nguyễn Văn Sửa")
    _wait(workspace_app, response)
    for thread in threading.enumerate():
        if thread.name == "index-open":
            thread.join(timeout=60)
    assert opened == [store.current_name()]  # the worker opened the new generation without waiting for a search
    after = _signer_facet(public)
    assert after["Nguyễn Văn Sửa"] == 1 and after.get("Huỳnh Đa Trung", 0) == before["Huỳnh Đa Trung"] - 1
    status = editor_client.get(f"{STATUS}?phieu=1", headers={"Accept": "application/json"}).get_json()
    assert status["busy"] is False and status["done"] is True and status["last"]["ok"] is True
    edit = _entries(workspace_app, action="edit")[0]
    _wait(workspace_app, _post_undo(editor_client, edit["id"]))
    assert _signer_facet(public) == before


def test_script_in_every_editable_field_is_escaped_on_public_pages(editor_client, workspace_app):
    texts = [f for f in edits.FIELDS if f not in edits.DATE_FIELDS and f not in edits.LIST_FIELDS]
    hostile = {field: (SCRIPT, IMAGE)[n % 2] + f" {field}" for n, field in enumerate(texts)}
    hostile.update({field: f"{SCRIPT}\n{IMAGE}" for field in edits.LIST_FIELDS})
    refused = _save(editor_client, date=SCRIPT)
    assert refused.status_code == 400  # a date cannot hold anything but a date
    response = _save(editor_client, **hostile)
    assert response.status_code == 303
    _wait(workspace_app, response)
    public = workspace_app.test_client()
    pages = [public.get(f"/van-ban/{DOC}"), public.get("/tim-kiem", query_string={"q": "alert"}),
             public.get("/tim-kiem", query_string={"q": "script"}), public.get("/tim-kiem.atom", query_string={"q": "alert"}),
             editor_client.get(REVIEW), editor_client.get(HISTORY)]
    assert pages[1].status_code == 200 and DOC in pages[1].get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].get_data(as_text=True)  # the public notice shows it
    for response in pages:
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page.lower() and _active(page) == [], response.request.path
