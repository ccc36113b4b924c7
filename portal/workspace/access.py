"""Who may do what under /quan-tri: the signed-in account, its role, and the checks every request passes.

Every request under /quan-tri goes through :func:`guard` before its view: it loads the session,
refuses a view that has not declared who may open it (fail closed), sends a visitor without a
session to the sign-in page (401 for JSON), and checks the CSRF token and origin of every
state-changing request. :func:`require_role` declares a view's role and checks it again itself.
"""

import functools
from urllib.parse import unquote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from portal.workspace import accounts
from portal.workspace import audit
from portal.workspace import clock
from portal.workspace import csrf
from portal.workspace import sessions
from portal.workspace import throttle
from portal.workspace.db import get_db

PREFIX = "/quan-tri"
SIGN_IN = "admin.sign_in"
HOME = "admin.queue"
PUBLIC = "public"
RANK = {"editor": 1, "admin": 2}
MAX_NEXT = 2000
# Throttle keys of typed names are cut here: a megabyte of name is one key, not a megabyte of table.
MAX_NAME_KEY = 128

SIGN_IN_FAILED = ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản tạm thời bị khóa; "
                  "thử lại sau ít phút.")
EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."
SIGN_IN_NEEDED = "Vui lòng đăng nhập để tiếp tục."
FORBIDDEN = "Tài khoản của bạn không có quyền mở trang này."
UNDECLARED = "Trang này chưa khai báo ai được phép mở nên tạm thời bị chặn."
CSRF_FAILED = ("Yêu cầu bị từ chối vì không kèm mã xác thực hợp lệ hoặc được gửi từ trang khác. "
               "Vui lòng tải lại trang rồi thử lại.")


def in_workspace(path: str) -> bool:
    """Return whether a URL path belongs to the workspace."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def public(view):
    """Declare a view open without a session (the sign-in page only)."""
    view.workspace_role = PUBLIC
    return view


def require_role(role: str):
    """Declare the role a view needs (``admin`` includes ``editor``) and check it before the view runs."""
    if role not in RANK:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            user = current_user()
            if user is None:
                return _unauthenticated()
            if not has_role(user, role):
                deny(403, FORBIDDEN)
            return view(*args, **kwargs)

        checked.workspace_role = role
        return checked

    return decorate


def required_role(view) -> str | None:
    """Return what a view declared: a role, :data:`PUBLIC`, or None when it declared nothing."""
    return getattr(view, "workspace_role", None)


def has_role(user: dict | None, role: str) -> bool:
    """Return whether an account holds a role (an admin holds editor too)."""
    return user is not None and RANK.get(user["role"], 0) >= RANK[role]


def current_user() -> dict | None:
    """Return the signed-in account of this request (id, name, role, role_label, csrf), or None."""
    return g.get("workspace_user")


def wants_json() -> bool:
    """Return whether the client asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def deny(status: int, message: str):
    """Stop the request with a Vietnamese error page, or a JSON error for JSON clients."""
    if wants_json():
        response = jsonify({"error": message, "status": status})
        response.status_code = status
    else:
        response = current_app.make_response((render_template("admin/error.html", status=status,
                                                              message=message), status))
    abort(response)


def _unauthenticated():
    expired = g.get("workspace_expired", False)
    if wants_json():
        deny(401, EXPIRED if expired else SIGN_IN_NEEDED)
    args = {}
    if request.method in ("GET", "HEAD"):
        args["next"] = request.full_path.rstrip("?")
    if expired:
        args["expired"] = "1"
    return redirect(url_for(SIGN_IN) + ("?" + urlencode(args) if args else ""))


def _secure() -> bool:
    return request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def guard():
    """Load the session and apply the checks every /quan-tri request passes (a ``before_request`` hook)."""
    if not in_workspace(request.path):
        return None
    token = request.cookies.get(sessions.COOKIE)
    session, g.workspace_expired = sessions.load(get_db(), token, clock.now(),
                                                 sessions.Policy.from_config(current_app.config))
    g.workspace_stale_cookie = token is not None and session is None
    if session:
        g.workspace_user = {"id": session["user_id"], "name": session["name"], "role": session["role"],
                            "role_label": accounts.ROLE_LABELS[session["role"]], "session_id": session["id"],
                            "csrf": session["csrf"]}
    view = current_app.view_functions.get(request.endpoint) if request.url_rule else None
    if view is None:
        return None  # 404 and 405 answer as they do elsewhere.
    role = required_role(view)
    if role is None:
        current_app.logger.error("view %s under %s declares no role: refused", request.endpoint, PREFIX)
        deny(403, UNDECLARED)
    if role != PUBLIC and session is None:
        return _unauthenticated()
    if request.method in csrf.UNSAFE_METHODS:
        expected = session["csrf"] if role != PUBLIC else request.cookies.get(csrf.SIGN_IN_COOKIE)
        if not (csrf.token_matches(expected, csrf.submitted(request.headers, request.form))
                and csrf.same_origin(request.headers.get("Origin"), request.headers.get("Referer"),
                                     request.host_url)):
            deny(403, CSRF_FAILED)
    return None


def current_token() -> str:
    """Return the CSRF token forms and scripts of this page send back (the ``csrf_token()`` template global)."""
    user = current_user()
    if user:
        return user["csrf"]
    if "workspace_sign_in_token" not in g:
        carried = request.cookies.get(csrf.SIGN_IN_COOKIE)
        g.workspace_sign_in_token = carried if csrf.well_formed(carried) else csrf.new_token()
    return g.workspace_sign_in_token


def finish(response):
    """Keep workspace answers out of caches and search engines; drop a dead session cookie (``after_request``)."""
    if not in_workspace(request.path):
        return response
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    cookies = response.headers.getlist("Set-Cookie")
    if g.get("workspace_stale_cookie") and not any(c.startswith(sessions.COOKIE + "=") for c in cookies):
        sessions.clear_cookie(response, _secure())
    token = g.get("workspace_sign_in_token")
    if token and token != request.cookies.get(csrf.SIGN_IN_COOKIE):
        response.set_cookie(csrf.SIGN_IN_COOKIE, token, path=url_for(SIGN_IN), secure=_secure(), httponly=True,
                            samesite="Lax")
    return response


def authenticate(name: str, password: str) -> dict | None:
    """Return the account these credentials open, or None; failures count towards a lock.

    A locked account or address is refused without looking at the password, as slowly and with
    the same answer as a wrong one.
    """
    db, now = get_db(), clock.now()
    hasher = accounts.make_hasher(current_app.config.get("WORKSPACE_ARGON2"))
    policy = throttle.Policy.from_config(current_app.config)
    account_key = throttle.account_key(accounts.normalize_name(name)[:MAX_NAME_KEY])
    keys = [account_key, throttle.address_key(request.remote_addr)]
    if throttle.locked(db, keys, now):
        accounts.burn_time(hasher, password)
        return None
    user = accounts.verify(db, name, password, hasher)
    if user is not None:
        throttle.clear(db, account_key)  # The address keeps its count: one good account must not reset it.
        return user
    for key in throttle.record_failure(db, keys, now, policy):
        audit.record(db, "system", "sign-in.lock", detail={"key": key, "minutes": policy.lock / 60})
    return None


def start_session(user: dict, target: str):
    """Sign an account in: end the session the request carried, start a new one, log it; redirect to ``target``."""
    db = get_db()
    sessions.end_token(db, request.cookies.get(sessions.COOKIE))
    token = sessions.create(db, user["id"], clock.now(), sessions.Policy.from_config(current_app.config),
                            request.remote_addr, request.user_agent.string)
    audit.record(db, user["name"], "sign-in", detail={"address": request.remote_addr})
    response = redirect(target, 303)
    sessions.set_cookie(response, token, _secure())
    return response


def end_session(target: str):
    """Sign the current account out: delete its session on the server, log it, drop the cookie."""
    user = current_user()
    db = get_db()
    sessions.end(db, user["session_id"])
    audit.record(db, user["name"], "sign-out")
    response = redirect(target, 303)
    sessions.clear_cookie(response, _secure())
    return response


def safe_next(value: str | None) -> str:
    """Return ``value`` when it is a local /quan-tri URL, else the workspace home: no open redirect."""
    home = url_for(HOME)
    if not value or len(value) > MAX_NEXT or any(ord(c) < 32 or c in "\\\x7f" for c in value):
        return home
    parts = urlsplit(value)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not in_workspace(path) or "\\" in path:
        return home
    if any(segment in (".", "..") for segment in path.split("/")):
        return home
    return value
