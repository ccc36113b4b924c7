"""The name variants page (/quan-tri/ten-goi): likely variant groups per kind, merge into a canonical name, undo.

The page and its JSON twin (``Accept: application/json``) come from one builder, :func:`page_data`.
A merge or undo changes the vocabulary and asks for the background index update; the page says
so while it runs.
"""

import os

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from indexer.vocab import VocabularyError
from indexer.vocab import load_vocabulary
from portal import search
from portal import workspace
from portal.params import SearchParams
from portal.workspace import access
from portal.workspace import collection
from portal.workspace import merges
from portal.workspace import variants
from portal.workspace.db import get_db
from portal.workspace.vocabfile import MergeRefused

bp = Blueprint("admin_variants", __name__, url_prefix="/quan-tri/ten-goi")

PER_PAGE = 30
DEFAULT_KIND = "nguoi"
NO_INDEX = "Chưa có chỉ mục: hãy lập chỉ mục trước, rồi trang này sẽ liệt kê các tên gọi."
NO_VOCABULARY = ("Chỉ mục chưa ghi thư mục từ điển (people.toml, units.toml) nên chưa gộp được: hãy lập chỉ mục "
                 "một lần bằng 'python -m indexer build --vocab THƯ_MỤC'.")


def _kind() -> variants.Kind:
    return variants.KINDS.get(request.args.get("loai", DEFAULT_KIND), variants.KINDS[DEFAULT_KIND])


def _vocabulary(folder: str | None):
    if not folder:
        return None
    try:
        return load_vocabulary(folder)
    except VocabularyError:
        return None


def _counts(kind: variants.Kind) -> dict:
    """Each value's facet counts over the whole served index (the public search's own, kept with it)."""
    return variants.facet_counts(search.search(SearchParams(), per_page=1)["facets"], kind)


def _groups(kind: variants.Kind, vocab) -> list[variants.Group]:
    """Groups for the served index and the vocabulary as it is now (kept until either changes)."""
    key = ("workspace.variants", kind.slug, vocab.fingerprint if vocab else None)
    found = search.recall(key)
    if found is None:
        abbreviations = variants.load_abbreviations() if kind.abbreviated else {}
        found = tuple(variants.find_groups(_counts(kind), kind.entries(vocab) if vocab else {}, abbreviations))
        search.remember(key, found)
    return list(found)


def _member(member: variants.Member) -> dict:
    return {"name": member.name, "count": member.count, "entry": member.entry,
            "by_facet": [{"facet": f, "label": variants.FACET_LABELS.get(f, f), "count": c} for f, c in member.by_facet],
            "reasons": [variants.REASONS[r] for r in member.reasons],
            # Joined only by a letter or a shortened form: the archivist ticks it, we don't.
            "weak": bool(member.reasons) and set(member.reasons) <= variants.WEAK_REASONS}


def _update_status() -> dict:
    """What the background update is doing, in Vietnamese."""
    status = workspace.rebuilder().status()
    last = status["last"]
    if status["busy"]:
        total = len(collection.manifest().get("docs", {}))
        message = f"Đang phân loại lại {total} văn bản… (từ điển đã đổi nên cả chỉ mục được lập lại)"
    elif last is not None and not last.ok:
        message = f"Lần cập nhật chỉ mục gần nhất bị lỗi (mã {last.returncode}); trang tra cứu vẫn dùng chỉ mục cũ."
    elif last is not None:
        message = f"Chỉ mục đã được cập nhật ({last.seconds:.1f} giây)."
    else:
        message = None
    return {"busy": status["busy"], "ok": status["busy"] or last is None or last.ok, "message": message}


def _merge_entry(entry: dict, user: dict) -> dict:
    detail = entry["detail"]
    undone = entry["undone"]
    return {"id": entry["id"], "at": entry["at"], "actor": entry["actor"],
            "kind": variants.KINDS[detail["kind"]].label, "file": detail["file"], "canonical": detail["canonical"],
            "variants": detail["variants"], "notices": detail.get("notices"),
            "undone": undone and {"at": undone["at"], "actor": undone["actor"]},
            "can_undo": not undone and (entry["actor"] == user["name"] or access.has_role(user, "admin"))}


def _notice(history: list[dict]) -> str | None:
    """The message after a merge or undo (the redirect names the entry)."""
    for entry in history:
        if str(entry["id"]) == request.args.get("gop"):
            return f"Đã gộp {len(entry['variants'])} tên vào «{entry['canonical']}»."
        if entry["undone"] and str(entry["id"]) == request.args.get("hoan-tac"):
            return f"Đã hoàn tác lần gộp vào «{entry['canonical']}»; từ điển trở lại như trước lần gộp."
    return None


def page_data(kind: variants.Kind, error: str | None = None) -> dict:
    """Everything the page and its JSON twin show for one kind of names."""
    user = access.current_user()
    folder = None
    problem = None
    groups: list[variants.Group] = []
    try:
        folder = collection.vocabulary_folder()
        vocab = _vocabulary(folder)
        groups = _groups(kind, vocab)
    except search.IndexUnavailable:
        problem, vocab = NO_INDEX, None
    if problem is None and not folder:
        problem = NO_VOCABULARY
    page = max(1, request.args.get("trang", 1, type=int))
    pages = max(1, -(-len(groups) // PER_PAGE))
    history = [_merge_entry(entry, user) for entry in merges.history(get_db())]
    return {
        "kinds": [{"slug": k.slug, "label": k.label, "url": url_for("admin_variants.index", loai=k.slug),
                   "current": k is kind} for k in variants.KINDS.values()],
        "kind": kind.slug, "kind_label": kind.label, "file": kind.file,
        "facets": [{"facet": f, "label": variants.FACET_LABELS[f]} for f in kind.facets],
        "groups": [{"suggested": g.suggested, "count": g.count, "count_label": f"{g.count} {kind.counted}",
                    "members": [_member(m) for m in g.members]}
                   for g in groups[(page - 1) * PER_PAGE:page * PER_PAGE]],
        "total_groups": len(groups), "page": page, "pages": pages,
        "previous": url_for("admin_variants.index", loai=kind.slug, trang=page - 1) if page > 1 else None,
        "next": url_for("admin_variants.index", loai=kind.slug, trang=page + 1) if page < pages else None,
        "names": sorted(kind.entries(vocab)) if vocab else [],
        "can_merge": problem is None, "problem": problem, "error": error,
        "notice": _notice(history), "merges": history, "update": _update_status(),
    }


def _render(kind: variants.Kind, error: str | None = None, status: int = 200):
    data = page_data(kind, error)
    if access.wants_json():
        response = jsonify(data)
        response.status_code = status
        return response
    return render_template("admin/variants.html", **data), status


def _lock_path() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(current_app.config["WORKSPACE_DB"])), "vocabulary.lock")


def _folder() -> str:
    folder = collection.vocabulary_folder()
    if not folder:
        raise MergeRefused(NO_VOCABULARY)
    return folder


@bp.get("")
@access.require_role("editor")
def index():
    """The likely variant groups of one kind, the latest merges and the index update's state."""
    return _render(_kind())


def _submitted() -> tuple[str | None, str, list]:
    """Return (kind, canonical, variants) from the form or the JSON body."""
    if request.is_json:
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        chosen = body.get("bien_the")
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            chosen = []
        canonical = body.get("ten_chuan") if isinstance(body.get("ten_chuan"), str) else ""
        return body.get("loai"), canonical, chosen
    typed = request.form.get("ten_khac", "").strip()
    return request.form.get("loai"), typed or request.form.get("ten_chuan", ""), request.form.getlist("bien_the")


@bp.post("/gop")
@access.require_role("editor")
def merge():
    """Merge the chosen names into the canonical one: vocabulary, audit log, index update."""
    slug, canonical, chosen = _submitted()
    kind = variants.KINDS.get(slug) if isinstance(slug, str) else None
    if kind is None:
        return _render(_kind(), "Không rõ loại tên cần gộp.", 400)
    try:
        entry = merges.merge(get_db(), access.current_user()["name"], kind, _folder(), canonical, chosen,
                             _counts(kind), _lock_path())
    except MergeRefused as exc:
        return _render(kind, str(exc), 400)
    ticket = workspace.rebuild_index()
    if access.wants_json():
        return jsonify({"merge": entry, "ticket": ticket, "update": _update_status()})
    return redirect(url_for("admin_variants.index", loai=kind.slug, gop=entry), 303)


@bp.post("/hoan-tac")
@access.require_role("editor")
def undo():
    """Put the vocabulary back as it was before a merge (if it has not changed since), logged."""
    body = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    body = body if isinstance(body, dict) else {}
    value, kind = str(body.get("gop", "")), variants.KINDS.get(str(body.get("loai")), variants.KINDS[DEFAULT_KIND])
    if not value.isdigit() or len(value) > 18:
        return _render(kind, "Không rõ lần gộp cần hoàn tác.", 400)
    user = access.current_user()
    try:
        undone = merges.undo(get_db(), user["name"], access.has_role(user, "admin"), int(value), _folder(),
                             _lock_path())
    except MergeRefused as exc:
        return _render(kind, str(exc), 409)
    ticket = workspace.rebuild_index()
    if access.wants_json():
        return jsonify({"undo": undone, "ticket": ticket, "update": _update_status()})
    return redirect(url_for("admin_variants.index", loai=kind.slug, **{"hoan-tac": value}), 303)
