"""Upload notices from the browser (/quan-tri/tai-len): stage, review what was read, publish or discard.

Body limits are set on this blueprint's requests only, before anything reads the body (the CSRF
check reads the form): Werkzeug refuses a larger request while parsing it, with a 413 answered in
Vietnamese here. The public site keeps Flask's defaults.
"""

import functools
import os

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.exceptions import RequestEntityTooLarge

from indexer import formats
from portal import ROOT
from portal import workspace
from portal.provenance import format_label
from portal.provenance import origin_notes
from portal.provenance import size_label
from portal.workspace import access
from portal.workspace import audit
from portal.workspace import clock
from portal.workspace import collection
from portal.workspace import upload_files
from portal.workspace import upload_reading
from portal.workspace import uploads
from portal.workspace.db import get_db

bp = Blueprint("admin_uploads", __name__, url_prefix="/quan-tri/tai-len")

# Requests other than the upload carry a form of corrections at most.
FORM_MAX_BYTES = 1048576
FORM_FIELDS = 32
RECENT = 10
NO_FILES = "Chưa chọn tệp nào. Bấm “Chọn tệp” rồi chọn một hay nhiều tệp thông báo."
NOT_FOUND = "Không có tệp tải lên này (có thể đã được công bố, đã hủy hoặc đã hết hạn)."
STATUS_LABELS = {"reading": "Đang đọc tệp…", "ready": "Chờ công bố", "refused": uploads.NOT_READ}


@bp.record_once
def _configure(state) -> None:
    uploads.configure(state.app)


@bp.url_value_preprocessor
def _limit_body(endpoint: str | None, values: dict | None) -> None:
    # URL value preprocessors run before every before_request hook, so before the CSRF check parses the form.
    limits = uploads.Limits.from_config(current_app.config)
    if endpoint == "admin_uploads.upload":
        request.max_content_length = limits.request_bytes
        request.max_form_parts = limits.files + FORM_FIELDS
    else:
        request.max_content_length = FORM_MAX_BYTES


@bp.app_errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """Answer a request over a body limit in Vietnamese (nothing of it was kept)."""
    message = f"Tệp quá lớn hoặc quá nhiều tệp: {uploads.Limits.from_config(current_app.config).describe()}."
    if access.wants_json():
        return jsonify({"error": message, "status": 413}), 413
    template = "admin/error.html" if access.in_workspace(request.path) else "error.html"
    return render_template(template, status=413, message=message), 413


def _root() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def _reader() -> upload_reading.Reader:
    return current_app.extensions.setdefault("workspace.upload_reader", upload_reading.Reader())


def _read(items: list[uploads.Staged]) -> None:
    """Queue staged files for reading under the configured limits."""
    vocab = collection.vocabulary_folder() or os.path.join(ROOT, "corpus")
    settings = upload_reading.Settings.from_config(current_app.config, vocab, ROOT)
    for item in items:
        if item.status == "reading":
            _reader().submit(settings.job(item.folder, item.path,
                                          functools.partial(uploads.keep_preview, item.folder, item.path)))


def _resume_stale(items: list[uploads.Staged]) -> None:
    """Read again what a stopped worker left unread (its reading would have ended by now)."""
    stale = clock.now() - float(current_app.config["UPLOAD_READ_SECONDS"]) - 60
    _read([item for item in items if item.status == "reading" and item.uploaded_at < stale
           and not _reader().pending(item.folder)])


def _row(item: uploads.Staged) -> dict:
    return {"token": item.token, "original_name": item.original_name, "uploader": item.uploader,
            "uploaded_at": clock.iso(item.uploaded_at), "status": item.status,
            "status_label": STATUS_LABELS[item.status], "reason": item.reason, "size": item.size,
            "size_label": size_label(item.size), "format": item.format, "format_label": format_label(item.format),
            "stored_name": item.stored_name, "doc_id": item.doc_id, "sha256": item.sha256,
            "url": url_for(".preview", token=item.token)}


def _published(entry: dict) -> dict:
    return {"at": entry["at"], "actor": entry["actor"], "doc_id": entry["doc_id"],
            "name": entry["detail"].get("original_name"), "url": url_for("doc.show", doc_id=entry["doc_id"])}


def _listing() -> dict:
    """The upload page's data: limits, staged uploads, recent publications (the HTML and JSON twins')."""
    db, config = get_db(), current_app.config
    uploads.expire(db, _root(), float(config["UPLOAD_EXPIRE_DAYS"]))
    items = uploads.staged(_root())
    _resume_stale(items)
    recent = audit.recent(db, limit=RECENT, filters={"action": "publish"})
    just = request.args.get("cong-bo")
    return {"limits": uploads.Limits.from_config(config).describe(), "expire_days": config["UPLOAD_EXPIRE_DAYS"],
            "accept": ",".join(sorted(formats.NOTICE_SUFFIXES)), "can_publish": bool(collection.corpus_folder()),
            "uploads": [_row(item) for item in items], "reading": any(item.status == "reading" for item in items),
            "published": [_published(e) for e in recent],
            "just_published": next((_published(e) for e in recent if just and e["doc_id"] == just), None)}


def _found(token: str) -> uploads.Staged:
    item = uploads.find(_root(), token)
    if item is None:
        access.deny(404, NOT_FOUND)
    return item


def _sources() -> dict[str, str]:
    docs = collection.manifest().get("docs", {})
    return {entry["source"]: doc_id for doc_id, entry in docs.items() if isinstance(entry, dict) and "source" in entry}


def _review(item: uploads.Staged, form=None, problems=None, error=None) -> dict:
    """The preview page's data: the upload, what reading it found, the fields to correct, duplicates."""
    preview = item.preview if item.status == "ready" else {}
    values = form if form is not None else preview
    fields = [{"name": field, "label": uploads.FIELD_LABELS[field].capitalize(), "list": field in uploads.LIST_FIELDS, "long": field == "title",
               "date": field in uploads.DATE_FIELDS, "value": _shown(field, values.get(field)),
               "rows": max(2, _shown(field, values.get(field)).count("\n") + 1),
               "extracted": _shown(field, preview.get(field)), "problem": (problems or {}).get(field)}
              for field in uploads.REVIEW_FIELDS]
    duplicates = uploads.duplicates(item, _root(), collection.corpus_folder(), _sources()) if preview else []
    for found in duplicates:
        found["url"] = (url_for(".preview", token=found["token"]) if found["kind"] == "staged" else
                        url_for("doc.show", doc_id=found["doc_id"]) if found.get("doc_id") else None)
    return {"upload": _row(item), "fields": fields, "warnings": preview.get("warnings", []),
            "origin_notes": origin_notes(preview.get("origin")), "doc_id": preview.get("id"),
            "duplicates": duplicates, "error": error, "can_publish": bool(collection.corpus_folder())}


def _shown(field: str, value) -> str:
    if field in uploads.LIST_FIELDS:
        return "\n".join(value) if isinstance(value, list) else str(value or "")
    return "" if value is None else str(value)


def _answer(template: str, data: dict, status: int = 200):
    if access.wants_json():
        return jsonify(data), status
    return render_template(template, **data), status


@bp.get("", endpoint="index")
@access.require_role("editor")
def index():
    """The upload form, the uploads waiting for review, the latest ones published."""
    return _answer("admin/uploads.html", _listing())


@bp.post("", endpoint="upload")
@access.require_role("editor")
def upload():
    """Stage the chosen files (all or none: a file over the limit refuses the request), read them, show them."""
    limits = uploads.Limits.from_config(current_app.config)
    files = [f for f in request.files.getlist("files") if f.filename or upload_files.file_size(f.stream)]
    if not files:
        access.deny(400, NO_FILES)
    if len(files) > limits.files:
        access.deny(413, f"Quá nhiều tệp trong một lần tải lên: tối đa {limits.files} tệp.")
    for f in files:
        size = upload_files.file_size(f.stream)
        if size > limits.file_bytes:
            access.deny(413, f"Tệp quá lớn: “{upload_files.display_name(f.filename)}” ({size_label(size)}; "
                             f"tối đa {limits.file_bytes / 1048576:g} MB mỗi tệp). Chưa tệp nào được nhận.")
    try:
        uploads.check_apart(collection.corpus_folder(), _root())
    except uploads.UploadError as exc:
        access.deny(exc.status, str(exc))
    db, user = get_db(), access.current_user()
    uploads.expire(db, _root(), float(current_app.config["UPLOAD_EXPIRE_DAYS"]))
    os.makedirs(_root(), mode=0o700, exist_ok=True)
    items = [uploads.stage(db, _root(), f.stream, f.filename, user["name"]) for f in files]
    _read(items)
    _reader().wait([item.folder for item in items], float(current_app.config["UPLOAD_WAIT_SECONDS"]))
    if access.wants_json():
        return jsonify({"uploads": [_row(uploads.find(_root(), item.token) or item) for item in items]}), 201
    target = url_for(".preview", token=items[0].token) if len(items) == 1 else url_for(".index")
    return redirect(target, 303)


@bp.get("/<token>", endpoint="preview")
@access.require_role("editor")
def preview(token: str):
    """What reading an upload found, with a form to correct it before publishing."""
    item = _found(token)
    _resume_stale([item])
    return _answer("admin/uploads_preview.html", _review(item))


@bp.post("/<token>/cong-bo", endpoint="publish")
@access.require_role("editor")
def publish(token: str):
    """Publish an upload into the corpus (corrections as its sidecar) and ask for the index update."""
    item = _found(token)
    if item.status != "ready":
        return _answer("admin/uploads_preview.html", _review(item, error=uploads.not_ready(item)), 409)
    changes, problems = uploads.corrections(item.preview, request.form)
    if problems:
        return _answer("admin/uploads_preview.html",
                       _review(item, request.form, problems, "Có giá trị sửa chưa dùng được; xem các ô đánh dấu."), 400)
    try:
        target = uploads.publish_folder(collection.corpus_folder(), _root())
        duplicates = uploads.duplicates(item, _root(), collection.corpus_folder(), _sources())
        if duplicates and request.form.get("confirm_duplicate") != "1":
            raise uploads.UploadError(uploads.DUPLICATE_UNCONFIRMED)
        doc_id = uploads.publish(get_db(), item, access.current_user()["name"], target, changes, duplicates)
    except uploads.UploadError as exc:
        if exc.status == 404:
            access.deny(404, str(exc))
        return _answer("admin/uploads_preview.html", _review(item, request.form, error=str(exc)), exc.status)
    workspace.rebuild_index()
    if access.wants_json():
        return jsonify({"doc_id": doc_id, "url": url_for("doc.show", doc_id=doc_id)}), 201
    return redirect(url_for(".index", **{"cong-bo": doc_id}), 303)


@bp.post("/<token>/huy", endpoint="discard")
@access.require_role("editor")
def discard(token: str):
    """Discard a staged upload."""
    item = _found(token)
    try:
        uploads.discard(get_db(), item, access.current_user()["name"])
    except uploads.UploadError as exc:
        access.deny(exc.status, str(exc))
    if access.wants_json():
        return jsonify({"discarded": token})
    return redirect(url_for(".index"), 303)
