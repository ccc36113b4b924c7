"""A notice's review page under /quan-tri/van-ban: its values beside the text they came from, the
form correcting them, its history and undo; and the status of the background index update."""

import itertools
import os
import re

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from indexer.provenance import DOUBTS
from indexer.provenance import rule_label
from indexer.sidecar import sidecar_path
from indexer.vocab import VOCAB_FILES
from indexer.vocab import VocabularyError
from indexer.vocab import load_vocabulary
from portal import search
from portal.provenance import format_label
from portal.provenance import origin_notes
from portal.views.admin_history import describe
from portal.workspace import access
from portal.workspace import audit
from portal.workspace import collection
from portal.workspace import edits
from portal.workspace import rebuild_index
from portal.workspace import rebuilder
from portal.workspace.db import get_db

bp = Blueprint("admin_notices", __name__, url_prefix="/quan-tri")

NOT_FOUND = "Không có văn bản này trong chỉ mục."
NO_INDEX = "Chưa có chỉ mục: hãy lập chỉ mục trước (python -m indexer build)."
BULK = ("Văn bản này đến từ tệp nhập hàng loạt (JSONL) nên không có tệp riêng để ghi bản sửa: các giá trị "
        "dưới đây chỉ để xem. Muốn sửa, hãy sửa bản ghi trong tệp nhập hàng loạt rồi lập chỉ mục lại.")
NO_FILE = "Không thấy tệp của văn bản này trong thư mục kho nên không sửa được ở đây."
SAVED = "Đã lưu; trang tra cứu sẽ cập nhật trong giây lát."
UNDONE = "Đã hoàn tác; trang tra cứu sẽ cập nhật trong giây lát."
UNCHANGED = "Không có giá trị nào khác trước: không có gì để lưu."
BAD_FORM = "Biểu mẫu thiếu mã phiên bản; hãy tải lại trang rồi sửa lại."
BROKEN = ("Tệp sửa hiện có của văn bản không phải JSON hợp lệ nên không thể ghép bản sửa vào; hãy nhờ quản trị "
          "viên máy chủ xem tệp {name}, hoặc hoàn tác về một phiên bản trước.")
NOT_WRITTEN = ("Không ghi được tệp sửa của văn bản (ổ đĩa đầy hoặc không có quyền ghi): chưa có gì thay đổi. "
               "Các giá trị bạn nhập vẫn còn trong biểu mẫu; xin báo quản trị viên máy chủ.")
FORBIDDEN_UNDO = "Chỉ quản trị viên mới hoàn tác được thay đổi của người khác."
NOT_UNDOABLE = "Dòng nhật ký này không phải một lần sửa văn bản nên không hoàn tác được."
UPDATING = "Đang cập nhật trang tra cứu…"
UPDATED = "Trang tra cứu đã cập nhật ({seconds} giây)."
UPDATE_FAILED = ("Cập nhật chỉ mục không thành công; các bản sửa đã lưu sẽ vào trang tra cứu ở lần cập nhật sau. "
                 "Xin báo quản trị viên máy chủ.")
NO_UPDATE = "Chưa có lần cập nhật nào."
MESSAGES = {"da-luu": SAVED, "da-hoan-tac": UNDONE, "khong-doi": UNCHANGED}
DATALISTS = {"signer": "ds-nguoi", "chair": "ds-nguoi", "units": "ds-don-vi", "topics": "ds-chu-de"}
_VERSION = re.compile(r"[0-9a-f]{64}")
_GENERATION = re.compile(r"gen-\d{1,12}")


# -- reading what the page shows -------------------------------------------------------------------

def _stored(doc_id: str) -> dict:
    try:
        stored = search.stored_notice(doc_id)
    except search.IndexUnavailable:
        access.deny(503, NO_INDEX)
    if stored is None:
        access.deny(404, NOT_FOUND)
    return stored


def _target(doc_id: str) -> edits.Target | None:
    path = collection.notice_file(doc_id)
    if path is None:
        return None
    # Beside the workspace database: a server given its own database keeps its locks with it.
    locks = os.path.join(os.path.dirname(os.path.abspath(current_app.config["WORKSPACE_DB"])), "locks")
    return edits.Target(doc_id, path, sidecar_path(path), locks)


def vocabulary_names() -> dict:
    """Return the canonical names the form offers, cached per app until a vocabulary file changes."""
    folder = collection.vocabulary_folder()
    if not folder:
        return {}
    stamps = []
    for name in VOCAB_FILES:
        try:
            stamps.append(os.stat(os.path.join(folder, name)).st_mtime_ns)
        except OSError:
            stamps.append(None)
    key = (folder, tuple(stamps))
    cache = current_app.extensions.setdefault("workspace.vocabulary_names", {})
    if cache.get("key") != key:
        try:
            vocab = load_vocabulary(folder)
        except VocabularyError:
            return {}
        cache["names"] = {"ds-nguoi": sorted(vocab.people), "ds-don-vi": sorted(vocab.units),
                          "ds-chu-de": sorted(topic.name for topic in vocab.topics)}
        cache["key"] = key
    return cache["names"]


def segments(text: str, provenance: list) -> tuple[list[dict], set[int]]:
    """Cut the text where spans begin and end: ``(pieces, spans)``, each piece with the spans covering it.

    A piece opening a span carries its anchor; spans outside the text are left out (returned set: those kept).
    """
    spans = {}
    for index, made in enumerate(provenance):
        start, end = (made.get("start"), made.get("end")) if isinstance(made, dict) else (None, None)
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans[index] = (start, end)
    cuts = sorted({0, len(text), *(offset for span in spans.values() for offset in span)})
    pieces = []
    for begin, finish in itertools.pairwise(cuts):
        covering = [i for i, (start, end) in spans.items() if start <= begin and finish <= end]
        pieces.append({"text": text[begin:finish], "spans": " ".join(map(str, covering)),
                       "anchors": [f"nguon-{i}" for i in covering if spans[i][0] == begin]})
    return pieces, set(spans)


def _shown(field: str, value) -> str:
    """A value as the form holds it: a list one per line, nothing as empty."""
    value = edits.known(value)
    if value is None:
        return ""
    if field in edits.LIST_FIELDS:
        return "\n".join(str(item) for item in value if item is not None)
    return str(value)


def _sources(field: str, provenance: list, anchored: set[int]) -> list[dict]:
    return [{"value": _shown(field, [made.get("value")] if field in edits.LIST_FIELDS else made.get("value")),
             "index": index, "anchor": f"nguon-{index}" if index in anchored else None,
             "rule": rule_label(str(made.get("rule", ""))),
             "doubt": DOUBTS.get(made.get("reason"), made.get("reason")) if made.get("doubtful") else None}
            for index, made in enumerate(provenance) if isinstance(made, dict) and made.get("field") == field]


def _fields(state: dict, values: dict, problems: dict) -> list[dict]:
    """Describe every field for the form: label, value (submitted, else current), its sources, problems."""
    overrides, extracted = state["overrides"], state["extracted"]
    current = edits.effective(overrides, extracted)
    out = []
    for field in edits.FIELDS:
        overridden = field in overrides
        value = _shown(field, values[field] if field in values else current[field])
        out.append({
            "name": field, "label": edits.field_label(field),
            "kind": "list" if field in edits.LIST_FIELDS else "date" if field in edits.DATE_FIELDS else "text",
            "value": value, "rows": max(3, value.count("\n") + 2),
            "datalist": DATALISTS.get(field), "problem": problems.get(field), "overridden": overridden,
            "extracted": _shown(field, extracted[field]).replace("\n", "; ") if overridden else "",
            "extracted_known": not isinstance(extracted[field], edits.Unknown),
            "sources": _sources(field, state["provenance"], state["anchored"]),
        })
    return out


def _state(doc_id: str) -> dict:
    """Everything the page and a save need: the stored notice, its file and sidecar, what extraction read."""
    stored = _stored(doc_id)
    meta, target = stored["meta"], _target(doc_id)
    sidecar = edits.read(target.sidecar) if target else None
    overrides = edits.overrides_of(sidecar) if sidecar else {}
    entries = audit.history(get_db(), doc_id)
    provenance = meta.get("provenance") if isinstance(meta.get("provenance"), list) else []
    pieces, anchored = segments(stored["text"], provenance)
    return {"stored": stored, "meta": meta, "target": target, "sidecar": sidecar, "overrides": overrides,
            "entries": entries, "provenance": provenance, "pieces": pieces, "anchored": anchored,
            "extracted": edits.extracted_values(meta, overrides, entries),
            "bulk": target is None and collection.is_bulk(doc_id)}


def _origin(meta: dict) -> dict:
    origin = meta.get("origin") if isinstance(meta.get("origin"), dict) else {}
    confidence = origin.get("confidence")
    return {"format": format_label(origin.get("format")) if origin.get("format") else None,
            "method": {"ocr": "Nhận dạng chữ từ ảnh quét (OCR)"}.get(origin.get("method"), "Chữ có sẵn trong tệp"),
            "encodings": [str(e) for e in origin.get("encodings") or [] if e],
            "confidence": round(confidence) if isinstance(confidence, int | float) else None,
            "notes": origin_notes(origin), "source": meta.get("path")}


def _render(state: dict, status: int = 200, values: dict | None = None, problems: dict | None = None, **extra):
    """Render the review page (a save's problems, a conflict or a message in ``extra``)."""
    meta, doc_id = state["meta"], state["meta"]["id"]
    user = access.current_user()
    editable = state["target"] is not None
    page = {
        "notice": meta, "doc_id": doc_id, "public_url": url_for("doc.show", doc_id=doc_id),
        "fields": _fields(state, values or {}, problems or {}), "pieces": state["pieces"],
        "origin": _origin(meta), "warnings": [str(w) for w in meta.get("warnings") or []],
        "editable": editable, "readonly_reason": None if editable else BULK if state["bulk"] else NO_FILE,
        "version": state["sidecar"].version if editable else None, "generation": state["stored"]["generation"],
        "names": vocabulary_names() if editable else {}, "form_problem": (problems or {}).get("_form"),
        "history": [describe(entry, user) for entry in state["entries"]],
        "save_url": url_for(".save", doc_id=doc_id), "status_url": url_for(".update_status"),
    }
    page.update(extra)
    return render_template("admin/notice.html", **page), status


# -- the views -------------------------------------------------------------------------------------

@bp.get("/van-ban/<doc_id>")
@access.require_role("editor")
def review(doc_id: str):
    """The review page: values with their provenance beside the text, the edit form, the history."""
    message = next((text for key, text in MESSAGES.items() if request.args.get(key) == "1"), None)
    ticket = request.args.get("phieu", "")
    return _render(_state(doc_id), message=message, ticket=int(ticket) if ticket.isdigit() else None)


@bp.post("/van-ban/<doc_id>")
@access.require_role("editor")
def save(doc_id: str):
    """Save the form as the notice's sidecar; refuse (409) when someone saved since the form was served."""
    state = _state(doc_id)
    if state["target"] is None:
        return _render(state, 409, message=BULK if state["bulk"] else NO_FILE)
    values, problems = edits.parse_form(request.form)
    base = request.form.get("version", "")
    if not _VERSION.fullmatch(base):
        problems["_form"] = BAD_FORM
    if problems:
        return _render(state, 400, values, problems)
    try:
        saved = edits.save(get_db(), access.current_user()["name"], state["target"], values, base,
                           state["extracted"], _served_generation())
    except edits.Conflict as conflict:
        return _conflict(doc_id, values, base, conflict)
    except edits.BrokenSidecar:
        return _render(state, 409, values, message=BROKEN.format(name=os.path.basename(state["target"].sidecar)))
    except OSError:
        current_app.logger.exception("writing the sidecar of %s failed", doc_id)
        return _render(state, 500, values, message=NOT_WRITTEN)
    return _after_change(doc_id, saved, "da-luu")


def _served_generation() -> str | None:
    """The index generation the form was served from (logged with the save), when the form names one."""
    generation = request.form.get("generation", "")
    return generation if _GENERATION.fullmatch(generation) else None


def _after_change(doc_id: str, saved: edits.Saved, done: str):
    """Ask for the index update and go back to the page (303), which follows the update by its ticket."""
    if saved.entry_id is None:
        return redirect(url_for(".review", doc_id=doc_id, **{"khong-doi": "1"}), 303)
    ticket = rebuild_index()
    return redirect(url_for(".review", doc_id=doc_id, **{done: "1", "phieu": ticket}), 303)


def _conflict(doc_id: str, values: dict, base: str, conflict: edits.Conflict):
    """The page again, with the archivist's values kept and what others changed since the form was served."""
    state = _state(doc_id)
    changed = edits.since(state["entries"], base, conflict.current, state["extracted"])
    user = access.current_user()
    info = {"fields": [{"label": edits.field_label(field), "old": _shown(field, change["old"]),
                        "new": _shown(field, change["new"]), "mine": _shown(field, values.get(field))}
                       for field, change in changed["fields"].items()],
            "entries": [describe(entry, user) for entry in changed["entries"]], "outside": changed["outside"]}
    return _render(state, 409, values, conflict=info)


@bp.post("/van-ban/<doc_id>/hoan-tac/<int:entry_id>")
@access.require_role("editor")
def undo(doc_id: str, entry_id: int):
    """Write the sidecar back as it was before a logged change; confirm first when it changed since."""
    entry = edits.log_entry(get_db(), entry_id)
    if entry is None or entry["doc_id"] != doc_id:
        access.deny(404, "Không có dòng nhật ký này cho văn bản này.")
    if not edits.undoable(entry):
        access.deny(409, NOT_UNDOABLE)
    if not edits.may_undo(access.current_user(), entry):
        access.deny(403, FORBIDDEN_UNDO)
    state = _state(doc_id)
    if state["target"] is None:
        return _render(state, 409, message=BULK if state["bulk"] else NO_FILE)
    confirmed = request.form.get("confirm") or None
    try:
        saved = edits.undo(get_db(), access.current_user()["name"], state["target"], entry, state["extracted"],
                           confirmed)
    except edits.Conflict as conflict:
        return _undo_conflict(state, entry, conflict)
    except OSError:
        current_app.logger.exception("restoring the sidecar of %s failed", doc_id)
        return _render(state, 500, message=NOT_WRITTEN)
    return _after_change(doc_id, saved, "da-hoan-tac")


def _undo_conflict(state: dict, entry: dict, conflict: edits.Conflict):
    """The page with what changed since the change to undo, and a button confirming the undo anyway."""
    changed = edits.since(state["entries"], edits.version_of(entry["detail"]["sidecar_after"]),
                          conflict.current, state["extracted"])
    user = access.current_user()
    info = {"entry": describe(entry, user), "version": conflict.current.version,
            "fields": [{"label": edits.field_label(f), "old": _shown(f, c["old"]), "new": _shown(f, c["new"])}
                       for f, c in changed["fields"].items()],
            "entries": [describe(e, user) for e in changed["entries"]], "outside": changed["outside"],
            "url": url_for(".undo", doc_id=entry["doc_id"], entry_id=entry["id"])}
    return _render(state, 409, undo_conflict=info)


def _last_run(last) -> dict | None:
    if last is None:
        return None
    seconds = f"{last.seconds:.1f}".replace(".", ",")
    message = UPDATED.format(seconds=seconds) if last.ok else UPDATE_FAILED
    return {"ticket": last.ticket, "ok": last.ok, "seconds": round(last.seconds, 2), "started": last.started,
            "message": message}


@bp.get("/cap-nhat/trang-thai")
@access.require_role("editor")
def update_status():
    """Whether the background index update runs and how the last one ended (the review page polls it).

    With ``phieu`` (the ticket a save got), ``done`` tells whether an update covering it has finished.
    """
    status = rebuilder().status()
    last = _last_run(status["last"])
    ticket = request.args.get("phieu", "")
    done = last is not None and last["ticket"] >= int(ticket) if ticket.isdigit() else None
    if status["busy"] and not done:
        message = UPDATING
    else:
        message = last["message"] if last else NO_UPDATE
    return jsonify({"busy": status["busy"], "last": last, "done": done, "message": message})
