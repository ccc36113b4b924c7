"""Workspace accounts: Argon2id hashes, the ``users`` commands, the database and its audit log."""

import os
import sqlite3
import stat
import threading

import argon2
import pytest
from argon2 import profiles

from portal import create_app
from portal.workspace import accounts
from portal.workspace import audit
from portal.workspace import db as workspace_db
from portal.workspace.db import get_db
from tests.workspace_fixtures import FAST_ARGON2
from tests.workspace_fixtures import PASSWORD
from tests.workspace_fixtures import make_user
from tests.workspace_fixtures import sign_in

OTHER_PASSWORD = "một mật khẩu khác hẳn 99"


def _rows(app, sql: str, *args) -> list[dict]:
    with app.app_context():
        return [dict(row) for row in get_db().execute(sql, args)]


def _hash_of(app, name: str) -> str:
    return _rows(app, "SELECT password_hash FROM users WHERE name = ?", name)[0]["password_hash"]


def _audit(app) -> list[dict]:
    with app.app_context():
        return list(reversed(audit.recent(get_db(), limit=1000)))


def _cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


# -- hashing -----------------------------------------------------------------------------------

def test_passwords_are_stored_as_argon2id_with_the_configured_parameters(workspace_app):
    make_user(workspace_app, "bientap")
    stored = _hash_of(workspace_app, "bientap")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    params = argon2.extract_parameters(stored)
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        FAST_ARGON2["time_cost"], FAST_ARGON2["memory_cost"], FAST_ARGON2["parallelism"])


def test_production_hashes_use_argon2_cffi_defaults(tmp_path):
    app = create_app({"TESTING": True, "WORKSPACE_DB": str(tmp_path / "w.sqlite3")})
    assert app.config["WORKSPACE_ARGON2"] is None
    make_user(app, "bientap")
    params = argon2.extract_parameters(_hash_of(app, "bientap"))
    assert params == profiles.get_default_parameters()
    assert params.type is argon2.Type.ID


def test_an_old_hash_is_replaced_on_sign_in_when_the_parameters_change(workspace_config, tmp_path):
    cheap = create_app(workspace_config)
    make_user(cheap, "bientap")
    old = _hash_of(cheap, "bientap")
    stronger = dict(FAST_ARGON2, time_cost=2)
    app = create_app({**workspace_config, "WORKSPACE_ARGON2": stronger})
    assert sign_in(app.test_client(), "bientap").status_code == 303
    new = _hash_of(app, "bientap")
    assert new != old and argon2.extract_parameters(new).time_cost == 2
    assert sign_in(app.test_client(), "bientap").status_code == 303  # the new hash verifies


def test_verify_answers_only_the_right_password_of_an_enabled_account(workspace_app):
    make_user(workspace_app, "bientap", "admin")
    with workspace_app.app_context():
        db, hasher = get_db(), accounts.make_hasher(FAST_ARGON2)
        assert accounts.verify(db, " BienTap ", PASSWORD, hasher)["role"] == "admin"
        assert accounts.verify(db, "bientap", OTHER_PASSWORD, hasher) is None
        assert accounts.verify(db, "khongco", PASSWORD, hasher) is None
        db.execute("UPDATE users SET disabled = 1 WHERE name = 'bientap'")
        assert accounts.verify(db, "bientap", PASSWORD, hasher) is None


def test_an_unknown_name_costs_a_password_verification(workspace_app, monkeypatch):
    calls = []
    original = argon2.PasswordHasher.verify
    monkeypatch.setattr(argon2.PasswordHasher, "verify", lambda self, *a: calls.append(1) or original(self, *a))
    with workspace_app.app_context():
        assert accounts.verify(get_db(), "khongco", PASSWORD, accounts.make_hasher(FAST_ARGON2)) is None
    assert calls == [1]


@pytest.mark.parametrize("name, stored", [("bientap", "bientap"), (" BienTap ", "bientap"),
                                          ("nguyen.van-a_2", "nguyen.van-a_2"), ("ab", "ab")])
def test_names_are_stored_trimmed_and_in_lower_case(name, stored):
    assert accounts.validate_name(name) == stored


@pytest.mark.parametrize("name", ["", "a", "biên tập", "biêntập", "nguyen van", ".an", "-an", "a/b", "a" * 65,
                                  "an\x00", "<script>"])
def test_names_outside_the_allowed_letters_are_refused(name):
    with pytest.raises(accounts.AccountError):
        accounts.validate_name(name)


def test_short_and_endless_passwords_are_refused(workspace_app):
    with workspace_app.app_context(), pytest.raises(accounts.AccountError, match="ít nhất"):
        accounts.create(get_db(), "bientap", "editor", "x" * (accounts.MIN_PASSWORD - 1),
                        accounts.make_hasher(FAST_ARGON2), actor="test")
    with pytest.raises(accounts.AccountError):
        accounts.validate_password("x" * (accounts.MAX_PASSWORD + 1))
    assert _rows(workspace_app, "SELECT * FROM users") == []


def test_the_database_refuses_an_unknown_role_even_past_the_code(workspace_app):
    make_user(workspace_app, "bientap")
    with workspace_app.app_context(), pytest.raises(sqlite3.IntegrityError):
        get_db().execute("UPDATE users SET role = 'root' WHERE name = 'bientap'")


# -- the users commands ------------------------------------------------------------------------

def test_users_add_reads_the_password_twice_without_echo(workspace_app):
    result = _cli(workspace_app, "users", "add", "QuanTri", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "Mật khẩu:" in result.output and "Nhập lại mật khẩu:" in result.output
    assert "Đã thêm tài khoản quantri (Quản trị viên)." in result.output
    assert _rows(workspace_app, "SELECT name, role FROM users") == [{"name": "quantri", "role": "admin"}]
    assert sign_in(workspace_app.test_client(), "quantri").status_code == 303


def test_users_add_defaults_to_editor_and_reads_stdin_for_scripts(workspace_app):
    result = _cli(workspace_app, "users", "add", "bientap", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert _rows(workspace_app, "SELECT role FROM users WHERE name = 'bientap'") == [{"role": "editor"}]
    assert sign_in(workspace_app.test_client(), "bientap").status_code == 303


def test_users_add_refuses_mismatched_confirmation(workspace_app):
    result = _cli(workspace_app, "users", "add", "bientap", input=f"{PASSWORD}\n{OTHER_PASSWORD}\n")
    assert result.exit_code == 1
    assert "không khớp" in result.output
    assert _rows(workspace_app, "SELECT * FROM users") == []


def test_users_add_refuses_a_taken_name_before_asking_for_a_password(workspace_app):
    make_user(workspace_app, "bientap")
    result = _cli(workspace_app, "users", "add", "BIENTAP", input=f"{OTHER_PASSWORD}\n{OTHER_PASSWORD}\n")
    assert result.exit_code == 1
    assert "đã có" in result.output and "Mật khẩu" not in result.output
    assert len(_rows(workspace_app, "SELECT * FROM users")) == 1


@pytest.mark.parametrize("args, code, message", [
    (["--role", "root"], 2, "root"),              # click.Choice: a usage error
    (["--role", "Admin"], 2, "Admin"),
])
def test_users_add_accepts_only_the_two_roles(workspace_app, args, code, message):
    result = _cli(workspace_app, "users", "add", "bientap", *args, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == code and message in result.output
    assert _rows(workspace_app, "SELECT * FROM users") == []


def test_users_add_refuses_a_bad_name_or_a_short_password(workspace_app):
    bad_name = _cli(workspace_app, "users", "add", "biên tập", "--password-stdin", input=PASSWORD + "\n")
    short = _cli(workspace_app, "users", "add", "bientap", "--password-stdin", input="ngắn\n")
    assert bad_name.exit_code == 1 and "Tên đăng nhập" in bad_name.output
    assert short.exit_code == 1 and "ít nhất" in short.output
    assert _rows(workspace_app, "SELECT * FROM users") == []


def test_users_list_shows_names_and_roles_never_hashes(workspace_app):
    assert "Chưa có tài khoản nào" in _cli(workspace_app, "users", "list").output
    make_user(workspace_app, "bientap")
    make_user(workspace_app, "quantri", "admin")
    result = _cli(workspace_app, "users", "list")
    assert result.exit_code == 0
    lines = [line.split("\t")[:2] for line in result.output.splitlines()]
    assert lines == [["bientap", "editor"], ["quantri", "admin"]]
    assert "argon2" not in result.output


def test_users_remove_ends_the_accounts_sessions(workspace_app):
    make_user(workspace_app, "bientap")
    client = workspace_app.test_client()
    sign_in(client, "bientap")
    assert client.get("/quan-tri/").status_code == 200
    result = _cli(workspace_app, "users", "remove", "bientap")
    assert result.exit_code == 0 and "Đã xóa tài khoản bientap." in result.output
    assert _rows(workspace_app, "SELECT * FROM users") == []
    assert _rows(workspace_app, "SELECT * FROM sessions") == []
    assert client.get("/quan-tri/").status_code == 302
    unknown = _cli(workspace_app, "users", "remove", "bientap")
    assert unknown.exit_code == 1 and "Không có tài khoản" in unknown.output


def test_users_reset_password_replaces_it_and_ends_sessions(workspace_app):
    make_user(workspace_app, "bientap")
    client = workspace_app.test_client()
    sign_in(client, "bientap")
    result = _cli(workspace_app, "users", "reset-password", "bientap", input=f"{OTHER_PASSWORD}\n{OTHER_PASSWORD}\n")
    assert result.exit_code == 0 and OTHER_PASSWORD not in result.output
    assert client.get("/quan-tri/").status_code == 302
    assert sign_in(workspace_app.test_client(), "bientap", PASSWORD).status_code == 200
    assert sign_in(workspace_app.test_client(), "bientap", OTHER_PASSWORD).status_code == 303
    unknown = _cli(workspace_app, "users", "reset-password", "khongco", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert unknown.exit_code == 1 and "Mật khẩu" not in unknown.output


def test_every_account_change_is_in_the_audit_log_with_the_cli_actor(workspace_app):
    _cli(workspace_app, "users", "add", "bientap", "--password-stdin", input=PASSWORD + "\n")
    _cli(workspace_app, "users", "reset-password", "bientap", "--password-stdin", input=OTHER_PASSWORD + "\n")
    _cli(workspace_app, "users", "remove", "bientap")
    _cli(workspace_app, "users", "add", "bientap", "--password-stdin", input="ngắn\n")  # refused: not logged
    entries = _audit(workspace_app)
    assert [(e["action"], e["detail"]) for e in entries] == [
        ("user.add", {"name": "bientap", "role": "editor"}),
        ("user.reset-password", {"name": "bientap"}),
        ("user.remove", {"name": "bientap", "role": "editor"}),
    ]
    assert all(e["actor"].startswith("cli:") and len(e["actor"]) > 4 for e in entries)
    assert not any(PASSWORD in str(e) or OTHER_PASSWORD in str(e) for e in entries)


# -- database and audit log --------------------------------------------------------------------

def test_the_database_is_private_and_migrates_once(workspace_app):
    path = workspace_app.config["WORKSPACE_DB"]
    make_user(workspace_app, "bientap")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    conn = workspace_db.connect(path)
    try:
        workspace_db.migrate(conn)
        workspace_db.migrate(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(workspace_db.MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT name FROM users").fetchall()[0][0] == "bientap"
    finally:
        conn.close()


def test_the_database_defaults_to_the_instance_folder():
    app = create_app({"TESTING": True})
    assert app.config["WORKSPACE_DB"] == os.path.join(app.instance_path, "workspace.sqlite3")


def test_audit_readers_page_and_filter(workspace_app):
    with workspace_app.app_context():
        db = get_db()
        for n in range(5):
            audit.record(db, "bientap" if n % 2 else "quantri", "edit", doc_id=f"doc-{n % 2}", detail={"n": n})
        assert [e["detail"]["n"] for e in audit.history(db, "doc-1")] == [3, 1]
        assert [e["detail"]["n"] for e in audit.recent(db, limit=2)] == [4, 3]
        assert [e["detail"]["n"] for e in audit.recent(db, limit=2, offset=2)] == [2, 1]
        assert [e["detail"]["n"] for e in audit.recent(db, filters={"actor": "quantri"})] == [4, 2, 0]
        assert audit.recent(db, filters={"actor": None}) == audit.recent(db)
        with pytest.raises(ValueError):
            audit.recent(db, filters={"1=1) OR (1": "x"})
        check = audit.verify_chain(db)
        assert check.ok and check.rows == 5


def test_workers_appending_at_once_keep_one_unbroken_chain(workspace_app):
    path = workspace_app.config["WORKSPACE_DB"]
    with workspace_app.app_context():
        get_db()  # migrated

    def append(actor: str) -> None:
        conn = workspace_db.connect(path)
        try:
            with workspace_app.app_context():
                for n in range(20):
                    audit.record(conn, actor, "edit", detail={"n": n})
        finally:
            conn.close()

    threads = [threading.Thread(target=append, args=(f"worker-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with workspace_app.app_context():
        check = audit.verify_chain(get_db())
    assert check.ok and check.rows == 60
