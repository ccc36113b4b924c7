"""Command line for accounts and the audit log: ``flask --app portal users add|remove|list|reset-password``.

Accounts are made here, by whoever runs the server, never from the web: there is no default account.
Each change is written to the audit log with the actor ``cli:<operating-system user>``.
"""

import getpass
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from portal.workspace import accounts
from portal.workspace import audit
from portal.workspace.db import get_db

users = AppGroup("users", help="Tài khoản người lưu trữ: thêm, xóa, liệt kê, đặt lại mật khẩu.")
audit_group = AppGroup("audit", help="Nhật ký thay đổi: kiểm tra chuỗi băm.")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return f"cli:uid-{os.getuid()}"


def _hasher():
    return accounts.make_hasher(current_app.config.get("WORKSPACE_ARGON2"))


def _read_password(from_stdin: bool) -> str:
    """Read a new password: one line of stdin, or typed twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = click.prompt("Mật khẩu", hide_input=True)
    if click.prompt("Nhập lại mật khẩu", hide_input=True) != password:
        raise click.ClickException("Hai lần nhập mật khẩu không khớp.")
    return password


def _refused(error: accounts.AccountError) -> click.ClickException:
    return click.ClickException(str(error))


password_stdin = click.option("--password-stdin", is_flag=True,
                              help="Đọc mật khẩu từ một dòng của đầu vào chuẩn (cho script).")


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), default="editor", show_default=True,
              help="editor: kiểm tra, sửa, tải lên; admin: thêm quản lý tài khoản và hoàn tác thay đổi của người khác.")
@password_stdin
def add(name: str, role: str, password_stdin: bool) -> None:
    """Thêm tài khoản NAME."""
    try:
        name = accounts.validate_name(name)
        if accounts.exists(get_db(), name):
            raise accounts.AccountError(f"Tài khoản {name!r} đã có.")
        user = accounts.create(get_db(), name, role, _read_password(password_stdin), _hasher(), _actor())
    except accounts.AccountError as error:
        raise _refused(error) from None
    click.echo(f"Đã thêm tài khoản {user['name']} ({accounts.ROLE_LABELS[user['role']]}).")


@users.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Xóa tài khoản NAME (các phiên đăng nhập của nó kết thúc)."""
    try:
        accounts.remove(get_db(), name, _actor())
    except accounts.AccountError as error:
        raise _refused(error) from None
    click.echo(f"Đã xóa tài khoản {accounts.normalize_name(name)}.")


@users.command("list")
def list_users() -> None:
    """Liệt kê các tài khoản."""
    rows = accounts.list_users(get_db())
    if not rows:
        click.echo("Chưa có tài khoản nào. Thêm tài khoản đầu tiên: flask --app portal users add TÊN --role admin")
        return
    for row in rows:
        state = "  (đã khóa)" if row["disabled"] else ""
        click.echo(f"{row['name']}\t{row['role']}\t{row['created']}{state}")


@users.command("reset-password")
@click.argument("name")
@password_stdin
def reset_password(name: str, password_stdin: bool) -> None:
    """Đặt mật khẩu mới cho NAME; các phiên đang mở kết thúc và khóa đăng nhập được gỡ."""
    try:
        if not accounts.exists(get_db(), name):
            raise accounts.AccountError(f"Không có tài khoản {accounts.normalize_name(name)!r}.")
        accounts.reset_password(get_db(), name, _read_password(password_stdin), _hasher(), _actor())
    except accounts.AccountError as error:
        raise _refused(error) from None
    click.echo(f"Đã đặt mật khẩu mới cho {accounts.normalize_name(name)}.")


@audit_group.command("verify")
def verify() -> None:
    """Kiểm tra chuỗi băm của nhật ký; in số dòng và mã băm cuối để đối chiếu về sau."""
    check = audit.verify_chain(get_db())
    if not check.ok:
        raise click.ClickException(f"Nhật ký bị sửa ngoài ứng dụng: dòng {check.bad_id} ({check.reason}); "
                                   f"{check.rows} dòng trước đó còn nguyên.")
    click.echo(f"Nhật ký nguyên vẹn: {check.rows} dòng, mã băm cuối {check.head}.")
