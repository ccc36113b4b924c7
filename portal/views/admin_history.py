"""The collection's history under /quan-tri/lich-su: every logged change, filtered and a page at a time."""

import datetime
import math

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for

from portal.workspace import access
from portal.workspace import accounts
from portal.workspace import clock
from portal.workspace import edits
from portal.workspace.db import get_db

bp = Blueprint("admin_history", __name__, url_prefix="/quan-tri")

PER_PAGE = 50
MAX_PAGE = 10_000
# The archive is in Vietnam (no daylight saving): the log's UTC times are shown and filtered in its time.
ACTIONS = {
    "edit": "Sửa siêu dữ liệu", "undo": "Hoàn tác", "sign-in": "Đăng nhập", "sign-out": "Đăng xuất",
    "sign-in.lock": "Tạm khóa đăng nhập", "user.add": "Thêm tài khoản", "user.remove": "Xóa tài khoản",
    "user.reset-password": "Đặt lại mật khẩu", "review": "Đánh dấu đã kiểm tra",
    "review.remove": "Bỏ đánh dấu đã kiểm tra", "merge": "Gộp tên gọi", "merge.undo": "Hoàn tác gộp tên gọi",
    "upload": "Tải lên", "publish": "Công bố tệp tải lên", "discard": "Hủy tệp tải lên",
}
# What other parts log beside an action (sign-ins, accounts, locks), named for the archivist.
DETAIL_LABELS = {"address": "Địa chỉ máy", "name": "Tài khoản", "role": "Vai trò", "key": "Khóa theo",
                 "minutes": "Số phút", "canonical": "Tên chuẩn", "variants": "Các cách viết gộp vào",
                 "notices": "Số văn bản", "file": "Tệp từ điển", "reason": "Lý do"}
# Detail keys that are the change itself (shown field by field) or too long to list (a merge keeps
# the whole vocabulary file as it was, for its undo).
_SHOWN_APART = {"fields", "sidecar_before", "sidecar_after", "extracted", "generation", "undoes", "before",
                "after", "before_hash", "after_hash"}
# Stored values shown by their Vietnamese names.
VALUE_LABELS = {"role": accounts.ROLE_LABELS}


@bp.app_template_filter("vn_time")
def vn_time(value: str) -> str:
    """Show a log time (ISO, UTC) in Vietnam's time: ``16/06/2025 19:00:05``."""
    return clock.local_time(value, seconds=True)


def _text(value) -> str:
    if value is None:
        return ""
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def _named(key: str, value):
    names = VALUE_LABELS.get(key)
    return names.get(value, value) if names and isinstance(value, str) else value


def describe(entry: dict, user: dict) -> dict:
    """Describe a log row for the pages: what was done to which fields, and whether this user may undo it."""
    detail = entry["detail"] if isinstance(entry["detail"], dict) else {}
    fields = detail.get("fields") if entry["action"] in edits.EDIT_ACTIONS else None
    changes = [{"label": edits.field_label(name), "old": _text(change.get("old")), "new": _text(change.get("new"))}
               for name, change in (fields or {}).items() if isinstance(change, dict)]
    other = [{"key": DETAIL_LABELS.get(key, key), "value": _text(_named(key, value))}
             for key, value in sorted(detail.items()) if key not in _SHOWN_APART]
    can_undo = edits.may_undo(user, entry) and entry["doc_id"] is not None
    return {
        "id": entry["id"], "at": entry["at"], "actor": entry["actor"], "action": entry["action"],
        "action_label": ACTIONS.get(entry["action"], entry["action"]), "doc_id": entry["doc_id"],
        "doc_url": url_for("admin_notices.review", doc_id=entry["doc_id"]) if entry["doc_id"] else None,
        "changes": changes, "other": other, "undoes": detail.get("undoes"), "can_undo": can_undo,
        "undo_url": url_for("admin_notices.undo", doc_id=entry["doc_id"], entry_id=entry["id"]) if can_undo else None,
    }


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _utc(day: datetime.date) -> str:
    """The log's timestamp of midnight, Vietnam time, at the start of ``day``."""
    moment = datetime.datetime.combine(day, datetime.time(), clock.VIETNAM)
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _filters() -> dict:
    """Read the page's filters: who, what, which notice, from and to (days, both included), page."""
    args = request.args
    page = args.get("page", "1")
    return {"actor": args.get("actor", "").strip(), "action": args.get("action", "").strip(),
            "doc": args.get("doc", "").strip(), "from": _day(args.get("from")), "to": _day(args.get("to")),
            "page": min(int(page), MAX_PAGE) if page.isdigit() and int(page) > 0 else 1}


def _page_url(filters: dict, page: int) -> str:
    args = {key: value.isoformat() if isinstance(value, datetime.date) else value
            for key, value in filters.items() if value and key != "page"}
    return url_for(".index", **args, **({"page": page} if page > 1 else {}))


@bp.get("/lich-su")
@access.require_role("editor")
def index():
    """Every logged change, newest first, filtered by who, what, which notice and when."""
    filters = _filters()
    db = get_db()
    since = _utc(filters["from"]) if filters["from"] else None
    until = _utc(filters["to"] + datetime.timedelta(days=1)) if filters["to"] else None
    entries, total = edits.log_page(db, {"actor": filters["actor"], "action": filters["action"],
                                         "doc_id": filters["doc"]}, since, until, PER_PAGE,
                                    (filters["page"] - 1) * PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    user = access.current_user()
    choices = edits.log_choices(db)
    return render_template(
        "admin/history.html", entries=[describe(entry, user) for entry in entries], total=total,
        filters=filters, page=filters["page"], pages=pages,
        previous_url=_page_url(filters, filters["page"] - 1) if filters["page"] > 1 else None,
        next_url=_page_url(filters, filters["page"] + 1) if filters["page"] < pages else None,
        actors=choices["actor"], actions=[{"value": a, "label": ACTIONS.get(a, a)} for a in choices["action"]],
    )
