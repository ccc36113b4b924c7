"""What an auditor runs against /quan-tri (OWASP ASVS V2, V3, V4, V7): sign-in, sessions, CSRF, roles, audit log.

The route tests enumerate the app's URL map, so a route added later under /quan-tri is covered
as soon as it exists; a route with URL parameters only needs sample values in ``SAMPLE_ARGS``.
"""

import collections
import hashlib
import re
import sqlite3
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import argon2
import pytest

from portal import caching
from portal import create_app
from portal.workspace import access
from portal.workspace import audit
from portal.workspace import csrf
from portal.workspace import sessions
from portal.workspace.db import get_db
from tests.workspace_fixtures import HOME
from tests.workspace_fixtures import PASSWORD
from tests.workspace_fixtures import SIGN_IN
from tests.workspace_fixtures import SIGN_OUT
from tests.workspace_fixtures import make_user
from tests.workspace_fixtures import session_token
from tests.workspace_fixtures import sign_in
from tests.workspace_fixtures import sign_in_token

# Sample values for the URL parameters of /quan-tri routes, by endpoint. A route with parameters
# needs an entry here; every test below then covers it. E.g. "admin_edits.save": {"doc_id": "..."}.
SAMPLE_ARGS: dict[str, dict] = {
    "admin_notices.review": {"doc_id": "004_abab5fe7c577bb0b"},
    "admin_notices.save": {"doc_id": "004_abab5fe7c577bb0b"},
    "admin_notices.undo": {"doc_id": "004_abab5fe7c577bb0b", "entry_id": 1},
    "admin_uploads.preview": {"token": "0" * 32},
    "admin_uploads.publish": {"token": "0" * 32},
    "admin_uploads.discard": {"token": "0" * 32},
}
# The only views open without a session.
PUBLIC_ENDPOINTS = {"admin.sign_in"}
UNSAFE = csrf.UNSAFE_METHODS
JSON_ACCEPT = {"Accept": "application/json"}
FOREIGN = "https://evil.example"
WRONG_TOKEN = "A" * 43
_FORM_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')
_EVENT_HANDLER = re.compile(r"<[^>]+\son\w+\s*=", re.IGNORECASE)
_SCRIPT_FILE = re.compile(r'<script src="/static/[\w.-]+\.js(\?v=\w+)?"( defer)?></script>')

Route = collections.namedtuple("Route", "endpoint method url role")


def _workspace_routes() -> list[Route]:
    """Every (route, method) under /quan-tri, with the role its view declares."""
    app = create_app({"TESTING": True, "WORKSPACE_DB": "/nonexistent/never-opened.sqlite3"})
    routes = []
    for rule in app.url_map.iter_rules():
        if not access.in_workspace(rule.rule):
            continue
        args = SAMPLE_ARGS.get(rule.endpoint, {})
        missing = rule.arguments - set(args)
        if missing:
            raise AssertionError(f"{rule.endpoint} takes {sorted(missing)}: add sample values to SAMPLE_ARGS in {__file__}")
        role = access.required_role(app.view_functions[rule.endpoint])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append(Route(rule.endpoint, method, rule.build(args)[1], role))
    return routes


ROUTES = _workspace_routes()
PROTECTED = [r for r in ROUTES if r.endpoint not in PUBLIC_ENDPOINTS]
STATE_CHANGING = [r for r in ROUTES if r.method in UNSAFE]
PAGES = [r for r in ROUTES if r.method == "GET"]


def _id(route: Route) -> str:
    return f"{route.method} {route.url}"


def _location(response) -> tuple[str, dict]:
    parts = urlsplit(response.headers["Location"])
    assert parts.scheme == "" and parts.netloc == "", response.headers["Location"]
    return parts.path, parse_qs(parts.query)


def _sent_to_sign_in(response) -> bool:
    """A visitor without a session is sent to the form with 302 (sign-out's own redirect is a 303)."""
    return response.status_code == 302 and _location(response)[0] == SIGN_IN


def _audit_count(app) -> int:
    with app.app_context():
        return get_db().execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def _error(response) -> str:
    return response.get_json()["error"] if response.is_json else response.get_data(as_text=True)


def _page_without_token(response, name: str) -> str:
    """A sign-in page with what differs by design blanked: its CSRF token and the name typed back."""
    page = _FORM_TOKEN.sub('name="csrf_token" value=""', response.get_data(as_text=True))
    return page.replace(f'value="{name}"', 'value=""')


def _cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def _with_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# -- every route declares a role, and the server checks it -------------------------------------

def test_the_route_table_is_not_empty():
    assert {r.endpoint for r in ROUTES} >= {"admin.sign_in", "admin.sign_out", "admin.queue", "admin.accounts"}


@pytest.mark.parametrize("route", ROUTES, ids=_id)
def test_every_workspace_route_declares_who_may_open_it(route):
    if route.endpoint in PUBLIC_ENDPOINTS:
        assert route.role == access.PUBLIC
    else:
        assert route.role in ("editor", "admin"), f"{route.endpoint}: decorate it with access.require_role"


def test_a_view_that_declares_no_role_is_refused_even_to_an_admin(workspace_app):
    workspace_app.add_url_rule("/quan-tri/quen-khai-bao", "forgotten", lambda: "bí mật")
    make_user(workspace_app, "quantri", "admin")
    client = workspace_app.test_client()
    sign_in(client, "quantri")
    response = client.get("/quan-tri/quen-khai-bao")
    assert response.status_code == 403 and "bí mật" not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", PROTECTED, ids=_id)
def test_without_a_session_every_route_sends_to_sign_in_or_answers_401(workspace_app, route):
    client = workspace_app.test_client()
    response = client.open(route.url, method=route.method)
    assert _sent_to_sign_in(response)
    if route.method == "GET":
        assert _location(response)[1]["next"] == [route.url]
    answer = client.open(route.url, method=route.method, headers=JSON_ACCEPT)
    assert answer.status_code == 401 and answer.get_json()["error"] == access.SIGN_IN_NEEDED


@pytest.mark.parametrize("route", PROTECTED, ids=_id)
def test_an_editor_is_refused_admin_routes_and_admitted_to_editor_routes(editor_client, route):
    token = session_token(editor_client)
    for headers in ({"X-CSRF-Token": token}, {"X-CSRF-Token": token, **JSON_ACCEPT}):
        response = editor_client.open(route.url, method=route.method, headers=headers)
        if route.role == "admin":
            assert response.status_code == 403 and access.FORBIDDEN in _error(response)
        else:
            assert response.status_code not in (401, 403) and not _sent_to_sign_in(response)
        if route.endpoint == "admin.sign_out":
            break


@pytest.mark.parametrize("route", PROTECTED, ids=_id)
def test_an_admin_is_admitted_everywhere(admin_client, route):
    response = admin_client.open(route.url, method=route.method, headers={"X-CSRF-Token": session_token(admin_client)})
    assert response.status_code not in (401, 403) and not _sent_to_sign_in(response)


def test_a_role_taken_away_applies_at_the_next_request(admin_client, workspace_app):
    assert admin_client.get("/quan-tri/tai-khoan").status_code == 200
    with workspace_app.app_context():
        get_db().execute("UPDATE users SET role = 'editor' WHERE name = 'quantri'")
    assert admin_client.get("/quan-tri/tai-khoan").status_code == 403
    assert admin_client.get(HOME).status_code == 200


def test_the_accounts_page_lists_accounts_without_hashes(admin_client, make_account):
    make_account("bientap")
    page = admin_client.get("/quan-tri/tai-khoan").get_data(as_text=True)
    assert "bientap" in page and "Biên tập viên" in page and "Quản trị viên" in page
    assert "argon2" not in page


# -- CSRF on every state-changing route, forms and JSON ----------------------------------------

def _prepared(route: Route, admin_client, workspace_app):
    """A client able to send ``route`` (the admin's, or a visitor holding the sign-in form) and its token."""
    if route.endpoint in PUBLIC_ENDPOINTS:
        client = workspace_app.test_client()
        return client, sign_in_token(client)
    return admin_client, session_token(admin_client)


def _someone_elses_token(app, route: Route) -> str:
    other = app.test_client()
    if route.endpoint in PUBLIC_ENDPOINTS:
        return sign_in_token(other)
    make_user(app, "nguoikhac", "admin")
    sign_in(other, "nguoikhac")
    return session_token(other)


FORGERIES = {
    "form without a token": lambda token, other: {"data": {"x": "1"}},
    "form with a made-up token": lambda token, other: {"data": {"csrf_token": WRONG_TOKEN}},
    "form with another session's token": lambda token, other: {"data": {"csrf_token": other}},
    "token in the query string only": lambda token, other: {"query_string": {"csrf_token": token}},
    "JSON without the header": lambda token, other: {"json": {"x": 1}},
    "JSON with a made-up header": lambda token, other: {"json": {}, "headers": {"X-CSRF-Token": WRONG_TOKEN}},
    "JSON with the token in the body only": lambda token, other: {"json": {"csrf_token": token}},
    "right token from a foreign Origin": lambda token, other: {
        "data": {"csrf_token": token}, "headers": {"Origin": FOREIGN}},
    "right token from Origin null": lambda token, other: {"data": {"csrf_token": token}, "headers": {"Origin": "null"}},
    "right token from a foreign Referer": lambda token, other: {
        "json": {}, "headers": {"X-CSRF-Token": token, "Referer": FOREIGN + "/quan-tri/"}},
    "right token, Origin on another port": lambda token, other: {
        "data": {"csrf_token": token}, "headers": {"Origin": "http://localhost:8080"}},
}


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("route", STATE_CHANGING, ids=_id)
def test_a_forged_state_changing_request_is_refused_and_changes_nothing(admin_client, workspace_app, route, forgery):
    client, token = _prepared(route, admin_client, workspace_app)
    other = _someone_elses_token(workspace_app, route)
    before = _audit_count(workspace_app)
    for accept in ({}, JSON_ACCEPT):
        request = FORGERIES[forgery](token, other)
        request["headers"] = {**request.get("headers", {}), **accept}
        response = client.open(route.url, method=route.method, **request)
        assert response.status_code == 403, response.get_data(as_text=True)[:300]
        assert access.CSRF_FAILED in _error(response)
    assert _audit_count(workspace_app) == before
    if route.endpoint not in PUBLIC_ENDPOINTS:
        assert client.get(HOME).status_code == 200  # still signed in: sign-out did not happen


SAME_SITE = {
    "form token": lambda token: {"data": {"csrf_token": token}},
    "JSON header": lambda token: {"json": {}, "headers": {"X-CSRF-Token": token}},
    "form token, same Origin": lambda token: {"data": {"csrf_token": token}, "headers": {"Origin": "http://localhost"}},
    "JSON header, same Referer": lambda token: {
        "json": {}, "headers": {"X-CSRF-Token": token, "Referer": "http://localhost/quan-tri/"}},
}


@pytest.mark.parametrize("way", SAME_SITE)
@pytest.mark.parametrize("route", STATE_CHANGING, ids=_id)
def test_the_real_token_from_this_site_passes(admin_client, workspace_app, route, way):
    client, token = _prepared(route, admin_client, workspace_app)
    response = client.open(route.url, method=route.method, **SAME_SITE[way](token))
    assert response.status_code != 403


def test_the_sign_in_token_is_bound_to_the_browser_that_got_the_form(workspace_app, make_account):
    make_account("bientap")
    attacker, victim = workspace_app.test_client(), workspace_app.test_client()
    token = sign_in_token(attacker)
    # Login CSRF: a foreign page posts the attacker's credentials and token from the victim's browser.
    response = victim.post(SIGN_IN, data={"csrf_token": token, "name": "bientap", "password": PASSWORD})
    assert response.status_code == 403
    assert victim.get(HOME).status_code == 302


# -- sign-in: one answer for every failure, throttling -----------------------------------------

def test_unknown_name_wrong_password_and_locked_account_get_the_same_answer(workspace_app, make_account):
    make_account("bientap")
    unknown = sign_in(_with_address(workspace_app, "10.0.0.1"), "khongco")
    wrong = sign_in(_with_address(workspace_app, "10.0.0.2"), "bientap", "sai mật khẩu rồi 123")
    for n in range(workspace_app.config["LOGIN_MAX_FAILURES"]):
        sign_in(_with_address(workspace_app, f"10.0.1.{n}"), "bientap", "sai mật khẩu rồi 123")
    locked = sign_in(_with_address(workspace_app, "10.0.0.3"), "bientap", PASSWORD)  # the right password
    assert unknown.status_code == wrong.status_code == locked.status_code == 200
    assert access.SIGN_IN_FAILED in unknown.get_data(as_text=True)
    assert (_page_without_token(unknown, "khongco") == _page_without_token(wrong, "bientap")
            == _page_without_token(locked, "bientap"))
    for response in (unknown, wrong, locked):
        assert not any(h.startswith(sessions.COOKIE + "=") for h in response.headers.getlist("Set-Cookie"))


def test_a_locked_sign_in_never_checks_the_password_but_takes_as_long(workspace_app, make_account, monkeypatch):
    make_account("bientap")
    for n in range(workspace_app.config["LOGIN_MAX_FAILURES"]):
        sign_in(_with_address(workspace_app, f"10.0.1.{n}"), "bientap", "sai mật khẩu rồi 123")
    with workspace_app.app_context():
        real_hash = get_db().execute("SELECT password_hash FROM users").fetchone()[0]
    checked = []
    original = argon2.PasswordHasher.verify
    monkeypatch.setattr(argon2.PasswordHasher, "verify", lambda self, h, p: checked.append(h) or original(self, h, p))
    sign_in(_with_address(workspace_app, "10.0.0.9"), "bientap", PASSWORD)
    assert len(checked) == 1 and checked[0] != real_hash


def test_an_account_locks_after_n_failures_from_any_addresses(workspace_app, make_account):
    make_account("bientap")
    make_account("khac")
    limit = workspace_app.config["LOGIN_MAX_FAILURES"]
    for round_ in range(2):  # a success starts the account's count again
        for n in range(limit - 1):
            sign_in(_with_address(workspace_app, f"10.{round_}.1.{n}"), "bientap", "sai mật khẩu rồi 123")
        assert sign_in(_with_address(workspace_app, f"10.0.2.{round_}"), "bientap").status_code == 303
    for n in range(limit):
        sign_in(_with_address(workspace_app, f"10.0.3.{n}"), "bientap", "sai mật khẩu rồi 123")
    assert sign_in(_with_address(workspace_app, "10.0.2.2"), "bientap").status_code == 200
    assert sign_in(_with_address(workspace_app, "10.0.2.3"), "khac").status_code == 303  # others unaffected


def test_an_address_locks_after_n_failures_against_any_accounts(workspace_app, make_account):
    make_account("bientap")
    limit = workspace_app.config["LOGIN_MAX_FAILURES"]
    for n in range(limit):
        sign_in(_with_address(workspace_app, "10.0.0.66"), f"doan{n}", "sai mật khẩu rồi 123")
    assert sign_in(_with_address(workspace_app, "10.0.0.66"), "bientap").status_code == 200
    assert sign_in(_with_address(workspace_app, "10.0.0.67"), "bientap").status_code == 303


def test_a_lock_holds_across_workers_sharing_the_database(workspace_config, make_account):
    make_account("bientap")
    first, second = create_app(workspace_config), create_app(workspace_config)
    limit = first.config["LOGIN_MAX_FAILURES"]
    for n in range(limit):
        app = first if n % 2 else second
        sign_in(_with_address(app, f"10.0.1.{n}"), "bientap", "sai mật khẩu rồi 123")
    for app in (first, second):
        assert sign_in(_with_address(app, "10.0.2.1"), "bientap").status_code == 200


def test_a_lock_expires_after_the_lock_time(workspace_app, workspace_clock, make_account):
    make_account("bientap")
    for n in range(workspace_app.config["LOGIN_MAX_FAILURES"]):
        sign_in(_with_address(workspace_app, f"10.0.1.{n}"), "bientap", "sai mật khẩu rồi 123")
    lock = workspace_app.config["LOGIN_LOCK_MINUTES"]
    workspace_clock.advance(minutes=lock - 1)
    assert sign_in(_with_address(workspace_app, "10.0.2.1"), "bientap").status_code == 200
    workspace_clock.advance(minutes=1, seconds=1)
    assert sign_in(_with_address(workspace_app, "10.0.2.2"), "bientap").status_code == 303


def test_failures_spread_wider_than_the_window_do_not_lock(workspace_app, workspace_clock, make_account):
    make_account("bientap")
    limit = workspace_app.config["LOGIN_MAX_FAILURES"]
    for round_ in range(2):
        for n in range(limit - 1):
            sign_in(_with_address(workspace_app, f"10.{round_}.1.{n}"), "bientap", "sai mật khẩu rồi 123")
        workspace_clock.advance(minutes=workspace_app.config["LOGIN_WINDOW_MINUTES"], seconds=1)
    assert sign_in(_with_address(workspace_app, "10.0.2.1"), "bientap").status_code == 303


def test_locks_are_in_the_audit_log(workspace_app, make_account):
    make_account("bientap")
    for n in range(workspace_app.config["LOGIN_MAX_FAILURES"]):
        sign_in(_with_address(workspace_app, "10.0.0.5"), "bientap", "sai mật khẩu rồi 123")
    with workspace_app.app_context():
        locks = audit.recent(get_db(), filters={"action": "sign-in.lock"})
    assert sorted(e["detail"]["key"] for e in locks) == ["account:bientap", "address:10.0.0.5"]


# -- sessions: fixation, sign-out, timeouts, cookies --------------------------------------------

def test_a_session_cookie_planted_before_sign_in_is_never_used(workspace_app, make_account):
    make_account("bientap")
    client = workspace_app.test_client()
    planted = "k" * 43
    client.set_cookie(sessions.COOKIE, planted, path=sessions.COOKIE_PATH)
    response = sign_in(client, "bientap")
    issued = _cookie_header(response, sessions.COOKIE).split(";")[0].split("=", 1)[1]
    assert issued != planted
    attacker = workspace_app.test_client()
    attacker.set_cookie(sessions.COOKIE, planted, path=sessions.COOKIE_PATH)
    assert attacker.get(HOME).status_code == 302


def test_signing_in_ends_the_session_the_browser_carried_and_rotates_the_token(workspace_app, make_account):
    make_account("bientap")
    make_account("ke_gian")
    attacker = workspace_app.test_client()
    sign_in(attacker, "ke_gian")
    attackers_token = attacker.get_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH).value
    victim = workspace_app.test_client()
    form_token = sign_in_token(victim)
    victim.set_cookie(sessions.COOKIE, attackers_token, path=sessions.COOKIE_PATH)
    victim.post(SIGN_IN, data={"csrf_token": form_token, "name": "bientap", "password": PASSWORD})
    victims_token = victim.get_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH).value
    assert victims_token != attackers_token
    assert attacker.get(HOME).status_code == 302  # the planted session was ended, not shared
    # Signing in again from a signed-in browser (the form it still holds) rotates the token too.
    victim.post(SIGN_IN, data={"csrf_token": form_token, "name": "bientap", "password": PASSWORD})
    assert victim.get_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH).value != victims_token
    with workspace_app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


def test_the_database_keeps_only_a_hash_of_the_token(editor_client, workspace_app):
    token = editor_client.get_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH).value
    with workspace_app.app_context():
        ids = [row[0] for row in get_db().execute("SELECT id FROM sessions")]
    assert ids == [hashlib.sha256(token.encode()).hexdigest()]


def test_sign_out_ends_the_session_on_the_server(editor_client, workspace_app):
    token = editor_client.get_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH).value
    response = editor_client.post(SIGN_OUT, data={"csrf_token": session_token(editor_client)})
    assert response.status_code == 303 and _location(response)[0] == SIGN_IN
    assert "Max-Age=0" in _cookie_header(response, sessions.COOKIE)
    replay = workspace_app.test_client()
    replay.set_cookie(sessions.COOKIE, token, path=sessions.COOKIE_PATH)
    assert _sent_to_sign_in(replay.get(HOME))
    assert replay.get(HOME, headers=JSON_ACCEPT).status_code == 401
    with workspace_app.app_context():
        assert get_db().execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
        assert [e["action"] for e in audit.recent(get_db(), limit=2)] == ["sign-out", "sign-in"]


def test_an_idle_session_ends_after_the_idle_time(editor_client, workspace_app, workspace_clock):
    idle = workspace_app.config["SESSION_IDLE_MINUTES"]
    for _ in range(3):  # activity keeps it alive
        workspace_clock.advance(minutes=idle - 1)
        assert editor_client.get(HOME).status_code == 200
    workspace_clock.advance(minutes=idle, seconds=1)
    response = editor_client.get(HOME)
    assert _sent_to_sign_in(response) and _location(response)[1]["expired"] == ["1"]
    assert "Max-Age=0" in _cookie_header(response, sessions.COOKIE)
    page = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert access.EXPIRED in page
    workspace_clock.advance(seconds=-idle * 60)  # turning the clock back does not revive it
    assert _sent_to_sign_in(editor_client.get(HOME))


def test_a_session_ends_after_the_absolute_time_however_busy(editor_client, workspace_app, workspace_clock):
    max_minutes = workspace_app.config["SESSION_MAX_HOURS"] * 60
    step = workspace_app.config["SESSION_IDLE_MINUTES"] - 5
    elapsed = 0
    while elapsed + step <= max_minutes:
        workspace_clock.advance(minutes=step)
        elapsed += step
        assert editor_client.get(HOME).status_code == 200
    workspace_clock.advance(minutes=max_minutes - elapsed, seconds=1)
    response = editor_client.get(HOME, headers=JSON_ACCEPT)
    assert response.status_code == 401 and response.get_json()["error"] == access.EXPIRED


def test_session_cookies_are_httponly_lax_and_scoped_to_the_workspace(workspace_app, make_account):
    make_account("bientap")
    client = workspace_app.test_client()
    form = client.get(SIGN_IN)
    response = sign_in(client, "bientap")
    for header in (_cookie_header(response, sessions.COOKIE), _cookie_header(form, csrf.SIGN_IN_COOKIE)):
        flags = [part.strip() for part in header.split(";")]
        assert "HttpOnly" in flags and "SameSite=Lax" in flags and "Secure" not in flags
        assert not any(flag.startswith(("Max-Age", "Expires", "Domain")) for flag in flags)
    assert "Path=/quan-tri" in _cookie_header(response, sessions.COOKIE).split("; ")
    assert "Path=/quan-tri/dang-nhap" in _cookie_header(form, csrf.SIGN_IN_COOKIE).split("; ")


def test_session_cookies_are_secure_over_https(workspace_app, make_account):
    make_account("bientap")
    client = workspace_app.test_client()
    https = {"base_url": "https://localhost"}
    form = client.get(SIGN_IN, **https)
    token = form.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(SIGN_IN, data={"csrf_token": token, "name": "bientap", "password": PASSWORD}, **https)
    assert response.status_code == 303
    assert "Secure" in _cookie_header(response, sessions.COOKIE).split("; ")
    assert "Secure" in _cookie_header(form, csrf.SIGN_IN_COOKIE).split("; ")
    assert client.get(HOME, **https).status_code == 200


def test_session_cookie_secure_can_be_forced_by_config(workspace_config, make_account):
    app = create_app({**workspace_config, "SESSION_COOKIE_SECURE": True})
    make_account("bientap")
    response = sign_in(app.test_client(), "bientap")
    assert "Secure" in _cookie_header(response, sessions.COOKIE).split("; ")


# -- the next parameter -------------------------------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/", "//evil.example/quan-tri/", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "https:/evil.example", "javascript:alert(1)", "/quan-tri@evil.example", "/quan-tri.evil.example",
    "/quan-tri/../tim-kiem", "/quan-tri/%2e%2e/tim-kiem", "/quan-tri/%2E%2E%2Fx", "/quan-tri/\\..\\x",
    "/quan-tri/\r\nLocation: https://evil.example", "/tim-kiem?q=x", "quan-tri/", "", "http://localhost/quan-tri/",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_workspace(workspace_app, make_account, target):
    make_account("bientap")
    client = workspace_app.test_client()
    response = sign_in(client, "bientap", next_url=target)
    assert response.status_code == 303 and _location(response) == (HOME, {})
    again = client.get(SIGN_IN, query_string={"next": target})  # signed in already
    assert _location(again) == (HOME, {})


def test_next_takes_a_signed_in_user_back_to_the_workspace_page_asked_for(workspace_app, make_account):
    make_account("quantri", "admin")
    client = workspace_app.test_client()
    asked = client.get("/quan-tri/tai-khoan?sap-xep=ten")
    _, query = _location(asked)
    response = sign_in(client, "quantri", next_url=query["next"][0])
    assert response.headers["Location"] == "/quan-tri/tai-khoan?sap-xep=ten"


# -- the audit log ------------------------------------------------------------------------------

@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'ai đó'", "DELETE FROM audit_log",
                                       "UPDATE audit_log SET detail = '{}' WHERE id = 1"])
def test_the_audit_log_refuses_update_and_delete(editor_client, workspace_app, statement):
    raw = sqlite3.connect(workspace_app.config["WORKSPACE_DB"])
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    finally:
        raw.close()
    with workspace_app.app_context():
        assert audit.verify_chain(get_db()).ok


def _tamper(app, *statements: str) -> audit.ChainCheck:
    """Change the log the way someone in a SQLite shell would: triggers dropped first."""
    raw = sqlite3.connect(app.config["WORKSPACE_DB"])
    try:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            raw.execute(statement)
        raw.commit()
    finally:
        raw.close()
    with app.app_context():
        return audit.verify_chain(get_db())


def _three_entries(app) -> None:
    with app.app_context():
        for n in range(3):
            audit.record(get_db(), "bientap", "edit", doc_id="503-TB-TU", detail={"signer": f"Người ký {n}"})


@pytest.mark.parametrize("statements, bad_id", [
    (["UPDATE audit_log SET detail = '{\"signer\":\"Người khác\"}' WHERE id = 2"], 2),
    (["UPDATE audit_log SET actor = 'quantri' WHERE id = 1"], 1),
    (["DELETE FROM audit_log WHERE id = 2"], 2),
    (["INSERT INTO audit_log VALUES (4, '2025-01-01T00:00:00+00:00', 'x', 'edit', NULL, '{}', 'forged', 'forged')"], 4),
    (["UPDATE audit_log SET id = 9 WHERE id = 2", "UPDATE audit_log SET id = 2 WHERE id = 3",
      "UPDATE audit_log SET id = 3 WHERE id = 9"], 2),
])
def test_verify_chain_finds_changes_made_behind_the_apps_back(workspace_app, statements, bad_id):
    _three_entries(workspace_app)
    with workspace_app.app_context():
        intact = audit.verify_chain(get_db())
    assert intact.ok and intact.rows == 3 and intact.bad_id is None
    check = _tamper(workspace_app, *statements)
    assert not check.ok and check.bad_id == bad_id and check.rows == bad_id - 1
    result = workspace_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"dòng {bad_id}" in result.output


def test_audit_verify_prints_the_head_to_keep(workspace_app):
    _three_entries(workspace_app)
    result = workspace_app.test_cli_runner().invoke(args=["audit", "verify"])
    with workspace_app.app_context():
        head = audit.verify_chain(get_db()).head
    assert result.exit_code == 0 and "3 dòng" in result.output and head in result.output


def test_sign_in_and_sign_out_are_in_the_audit_log(editor_client, workspace_app):
    editor_client.post(SIGN_OUT, data={"csrf_token": session_token(editor_client)})
    with workspace_app.app_context():
        entries = audit.recent(get_db(), filters={"actor": "bientap"})
    assert [(e["action"], e["detail"]) for e in entries] == [("sign-out", {}), ("sign-in", {"address": "127.0.0.1"})]


# -- what every workspace answer carries --------------------------------------------------------

@pytest.fixture
def indexed_app(workspace_config, seed_index):
    """The workspace beside a published index: the public pages' ETags and caching are live."""
    return create_app({**workspace_config, "INDEX_PATH": str(seed_index)})


def _answers(app):
    make_user(app, "quantri", "admin")
    make_user(app, "bientap", "editor")
    admin, editor, anonymous = app.test_client(), app.test_client(), app.test_client()
    sign_in(admin, "quantri")
    sign_in(editor, "bientap")
    yield anonymous.get(SIGN_IN)
    yield anonymous.get(HOME)                                # redirect to sign-in
    yield anonymous.post(SIGN_OUT)                           # redirect
    yield anonymous.post(SIGN_IN, data={"csrf_token": "x"})  # 403
    yield anonymous.get("/quan-tri/khong-co-trang-nay")      # 404
    yield editor.get("/quan-tri/tai-khoan")                  # 403
    for route in PAGES:
        yield admin.get(route.url)
        yield admin.get(route.url, headers={"If-None-Match": "*"})
        with app.test_request_context(route.url):
            tag = caching.page_tag()  # what the public side would tag this URL with
        yield admin.get(route.url, headers={"If-None-Match": f'W/"{tag}"'})


def test_workspace_answers_are_never_stored_nor_indexed(indexed_app):
    assert "ETag" in indexed_app.test_client().get("/").headers  # the public side is tagged
    for response in _answers(indexed_app):
        assert response.status_code != 304
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert "ETag" not in response.headers and "Last-Modified" not in response.headers
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_workspace_pages_carry_no_inline_script_and_a_form_token(admin_client, workspace_app):
    pages = [admin_client.get(route.url) for route in PAGES if route.endpoint not in PUBLIC_ENDPOINTS]
    pages.append(workspace_app.test_client().get(SIGN_IN))
    for response in pages:
        page = _SCRIPT_FILE.sub("", response.get_data(as_text=True))  # a script file of our own is no inline script
        assert "<script" not in page and not _EVENT_HANDLER.search(page)
        if not response.is_json:  # a JSON answer (a page's status) has no form
            assert 'name="csrf_token"' in page
