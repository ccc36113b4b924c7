"""The archivists' workspace pages under /quan-tri: sign-in, sign-out, the home page, accounts.

Every view declares who may open it (:func:`access.require_role`, or :func:`access.public` for
the sign-in page); :func:`access.guard` refuses a view that does not.
"""

from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import g
from flask import has_request_context
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from portal import search
from portal.workspace import access
from portal.workspace import accounts
from portal.workspace import queue as review_queue
from portal.workspace.db import get_db

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")

# The workspace menu: (endpoint, label, role). An entry shows once its endpoint is registered, so
# the parts still to come (history, name variants, uploads) appear when they land under these names.
NAV = (
    ("admin.queue", "Hàng chờ", "editor"),
    ("admin_history.index", "Lịch sử", "editor"),
    ("admin_variants.index", "Tên gọi", "editor"),
    ("admin_uploads.index", "Tải lên", "editor"),
    ("admin.accounts", "Tài khoản", "admin"),
)


def _nav(user: dict) -> list[dict]:
    return [{"label": label, "url": url_for(endpoint), "current": request.endpoint == endpoint}
            for endpoint, label, role in NAV
            if endpoint in current_app.view_functions and access.has_role(user, role)]


@bp.app_context_processor
def _workspace_context() -> dict:
    """Give every workspace page the signed-in account and its menu."""
    if not has_request_context() or not access.in_workspace(request.path):
        return {}
    user = access.current_user()
    return {"workspace_user": user, "workspace_nav": _nav(user) if user else []}


@bp.route("/dang-nhap", methods=["GET", "POST"])
@access.public
def sign_in():
    """The sign-in form; on success a new session and a redirect to ``next`` (a local /quan-tri URL)."""
    target = access.safe_next(request.values.get("next"))
    if request.method == "GET" and access.current_user():
        return redirect(target)
    error = None
    if request.method == "POST":
        user = access.authenticate(request.form.get("name", ""), request.form.get("password", ""))
        if user is not None:
            return access.start_session(user, target)
        error = access.SIGN_IN_FAILED
    expired = g.get("workspace_expired") or request.args.get("expired") == "1"
    return render_template("admin/sign_in.html", error=error, next=target, name=request.form.get("name", ""),
                           expired=expired and not error, signed_out=request.args.get("signed_out") == "1")


@bp.post("/dang-xuat")
@access.require_role("editor")
def sign_out():
    """End the session on the server and go back to the sign-in form."""
    return access.end_session(url_for("admin.sign_in", signed_out="1"))


# -- the review queue (the workspace home) ---------------------------------------------------------

REVIEW_PAGE = "admin_notices.review"
MAX_CHOSEN = 500
# What a mark or unmark did, told on the page it goes back to: query argument -> message.
DONE = (
    ("marked", "Đã đánh dấu {} văn bản là đã kiểm tra."),
    ("unmarked", "Đã bỏ đánh dấu {} văn bản: chúng trở lại hàng chờ."),
    ("stale", "{} văn bản đã thay đổi sau khi trang được mở nên chưa được đánh dấu; xin xem lại."),
    ("unknown", "{} văn bản không còn trong chỉ mục."),
)
NOTHING_CHOSEN = "Chưa chọn văn bản nào."
TOO_MANY = f"Mỗi lần chỉ đánh dấu được tối đa {MAX_CHOSEN} văn bản."


def _review_url(doc_id: str) -> str:
    if REVIEW_PAGE in current_app.view_functions:
        return url_for(REVIEW_PAGE, doc_id=doc_id)
    return f"{access.PREFIX}/van-ban/{quote(doc_id, safe='')}"


def _queue_url(filters: review_queue.Filters, **changes) -> str:
    return url_for("admin.queue", **filters.args(**changes))


def _with_links(data: dict, filters: review_queue.Filters) -> dict:
    """Add to a queue page the links the template shows: reasons, pages, notices."""
    for count in data["counts"]:
        count["url"] = _queue_url(filters, reason=count["code"], page=1)
        count["selected"] = count["code"] == filters.reason
    data["all_url"] = _queue_url(filters, reason="", page=1)
    data["reviewed_url"] = _queue_url(filters, reason=review_queue.REVIEWED, page=1)
    data["showing_reviewed"] = filters.reason == review_queue.REVIEWED
    data["previous_url"] = _queue_url(filters, page=data["page"] - 1) if data["page"] > 1 else None
    data["next_url"] = _queue_url(filters, page=data["page"] + 1) if data["page"] < data["pages"] else None
    for row in data["rows"]:
        row["url"] = _review_url(row["id"])
        row["token"] = f"{row['id']}:{row['version']}"
        for reason in row["reasons"]:
            for twin in reason["related"]:
                twin["url"] = _review_url(twin["id"])
    return data


def _done_messages() -> list[str]:
    return [text.format(request.args[key]) for key, text in DONE if request.args.get(key, "").isdigit()
            and int(request.args[key]) > 0]


@bp.get("/")
@access.require_role("editor")
def queue():
    """The review queue: notices that need an archivist and why, by reason, year and unit (JSON alike)."""
    filters = review_queue.Filters.from_args(request.args)
    try:
        analysis = review_queue.served_analysis()
    except search.IndexUnavailable:
        analysis = None
    data = review_queue.page(analysis, review_queue.marks(get_db()), filters) if analysis else None
    if access.wants_json():
        return jsonify(data if data else {"error": "Chưa có chỉ mục.", "rows": []})
    return render_template("admin/queue.html", queue=data and _with_links(data, filters), filters=filters,
                           done=_done_messages(), queue_url=url_for("admin.queue"),
                           mark_url=url_for("admin.mark_reviewed"), unmark_url=url_for("admin.unmark_reviewed"),
                           here=request.full_path.rstrip("?"))


def _chosen() -> list[tuple[str, str | None]]:
    """Read the notices a request names: JSON ``{"notices": [{"id", "version"}]}``, or the queue's form.

    The form sends ``id:version`` tokens: one row's button (``notice``), every row shown
    (``scope=page``: ``shown``) or the rows ticked (``notices``).
    """
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        items = body.get("notices") if isinstance(body.get("notices"), list) else []
        return [(str(item["id"]), item.get("version") if isinstance(item.get("version"), str) else None)
                for item in items if isinstance(item, dict) and isinstance(item.get("id"), (str, int))]
    form = request.form
    if form.get("notice"):
        tokens = [form["notice"]]
    else:
        tokens = form.getlist("shown") if form.get("scope") == "page" else form.getlist("notices")
    return [(doc_id, seen or None) for doc_id, _, seen in (token.partition(":") for token in tokens) if doc_id]


def _back(counts: dict):
    """Answer a mark or unmark: JSON facts, or back to the page it came from with what it did."""
    if access.wants_json():
        return jsonify(counts)
    target = urlsplit(access.safe_next(request.form.get("next")))
    kept = [(key, value) for key, value in parse_qsl(target.query) if key not in dict(DONE)]
    told = [(key, len(counts.get(key, []))) for key, _ in DONE if counts.get(key)]
    query = urlencode(kept + told)
    return redirect(target.path + ("?" + query if query else ""), 303)


def _chosen_within_limit():
    """Return ``(chosen, None)``, or ``([], refusal)`` when the request names no notice or too many."""
    chosen = _chosen()
    if not chosen or len(chosen) > MAX_CHOSEN:
        return [], _refuse(TOO_MANY if chosen else NOTHING_CHOSEN)
    return chosen, None


def _refuse(message: str):
    if access.wants_json():
        return jsonify({"error": message}), 400
    return render_template("admin/error.html", status=400, message=message), 400


def _analysis_or_none():
    try:
        return review_queue.served_analysis()
    except search.IndexUnavailable:
        return None


@bp.post("/da-kiem-tra")
@access.require_role("editor")
def mark_reviewed():
    """Mark the chosen notices "đã kiểm tra" at the version the page showed (a notice changed since is not)."""
    chosen, refusal = _chosen_within_limit()
    if refusal:
        return refusal
    analysis = _analysis_or_none()
    if analysis is None:
        current, stale, unknown = [], [], [doc_id for doc_id, _ in chosen]
    else:
        current, stale, unknown = review_queue.current_versions(analysis, chosen)
    marked = review_queue.mark(get_db(), access.current_user()["name"], current)
    return _back({"marked": marked, "stale": stale, "unknown": unknown})


@bp.post("/bo-danh-dau")
@access.require_role("editor")
def unmark_reviewed():
    """Take "đã kiểm tra" marks back: the notices return to the queue."""
    chosen, refusal = _chosen_within_limit()
    if refusal:
        return refusal
    unmarked = review_queue.unmark(get_db(), access.current_user()["name"], [doc_id for doc_id, _ in chosen])
    return _back({"unmarked": unmarked})


@bp.get("/tai-khoan", endpoint="accounts")
@access.require_role("admin")
def accounts_list():
    """The accounts, read-only: they are made and removed from the command line."""
    return render_template("admin/accounts.html", users=accounts.list_users(get_db()))
