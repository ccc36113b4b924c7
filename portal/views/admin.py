"""The archivists' workspace pages under /quan-tri: sign-in, sign-out, the home page, accounts.

Every view declares who may open it (:func:`access.require_role`, or :func:`access.public` for
the sign-in page); :func:`access.guard` refuses a view that does not.
"""

from flask import Blueprint
from flask import current_app
from flask import g
from flask import has_request_context
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from portal.workspace import access
from portal.workspace import accounts
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


@bp.get("/")
@access.require_role("editor")
def queue():
    """The workspace home: the review queue (a placeholder until the queue lands)."""
    return render_template("admin/queue.html")


@bp.get("/tai-khoan", endpoint="accounts")
@access.require_role("admin")
def accounts_list():
    """The accounts, read-only: they are made and removed from the command line."""
    return render_template("admin/accounts.html", users=accounts.list_users(get_db()))
