"""Fixtures for the archivists' workspace: an app on a private database, a clock tests move on,
accounts made fast, signed-in clients.

A test module that needs more (an index, say) overrides ``workspace_config``::

    @pytest.fixture
    def workspace_config(workspace_config, seed_index):
        return {**workspace_config, "INDEX_PATH": str(seed_index)}
"""

import re

import pytest

from portal import create_app
from portal.workspace import accounts
from portal.workspace.db import get_db

# Argon2id at its cheapest: the defaults take ~50 ms a hash, too slow for hundreds of sign-ins.
# tests/test_workspace_accounts.py checks the defaults themselves.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PASSWORD = "mật khẩu đủ dài 2024"
SIGN_IN = "/quan-tri/dang-nhap"
SIGN_OUT = "/quan-tri/dang-xuat"
HOME = "/quan-tri/"
_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class FakeClock:
    """A clock that stands still until a test moves it on."""

    def __init__(self, start: float = 1_750_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float = 0, hours: float = 0, seconds: float = 0) -> None:
        self.now += seconds + minutes * 60 + hours * 3600


def make_user(app, name: str, role: str = "editor", password: str = PASSWORD) -> dict:
    """Create an account directly in the app's database (with the app's hasher parameters)."""
    with app.app_context():
        hasher = accounts.make_hasher(app.config["WORKSPACE_ARGON2"])
        return accounts.create(get_db(), name, role, password, hasher, actor="test")


def sign_in_token(client) -> str:
    """Open the sign-in form (which sets its cookie) and return the form's CSRF token."""
    page = client.get(SIGN_IN).get_data(as_text=True)
    return _FORM_TOKEN.search(page).group(1)


def page_token(page: str) -> str:
    """Return the CSRF token a workspace page gives its scripts (its ``csrf-token`` meta tag)."""
    return _META_TOKEN.search(page).group(1)


def session_token(client) -> str:
    """Return the signed-in session's CSRF token, as the workspace pages give it to scripts."""
    return page_token(client.get(HOME).get_data(as_text=True))


def sign_in(client, name: str, password: str = PASSWORD, next_url: str | None = None, **kwargs):
    """Post the sign-in form as a browser would (token from the form) and return the response."""
    data = {"csrf_token": sign_in_token(client), "name": name, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(SIGN_IN, data=data, **kwargs)


@pytest.fixture
def workspace_clock():
    return FakeClock()


@pytest.fixture
def workspace_config(tmp_path, workspace_clock):
    return {"TESTING": True, "INDEX_PATH": str(tmp_path / "index"),
            "WORKSPACE_DB": str(tmp_path / "workspace.sqlite3"), "WORKSPACE_CLOCK": workspace_clock,
            "WORKSPACE_ARGON2": FAST_ARGON2}


@pytest.fixture
def workspace_app(workspace_config):
    return create_app(workspace_config)


@pytest.fixture
def make_account(workspace_app):
    """Return ``make(name, role="editor", password=PASSWORD)`` creating accounts in the workspace app."""
    return lambda name, role="editor", password=PASSWORD: make_user(workspace_app, name, role, password)


def _signed_in_client(app, name: str, role: str):
    make_user(app, name, role)
    client = app.test_client()
    response = sign_in(client, name)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


@pytest.fixture
def editor_client(workspace_app):
    """A client signed in as ``bientap``, an editor."""
    return _signed_in_client(workspace_app, "bientap", "editor")


@pytest.fixture
def admin_client(workspace_app):
    """A client signed in as ``quantri``, an admin."""
    return _signed_in_client(workspace_app, "quantri", "admin")
