"""Error pages in Vietnamese, for HTML and JSON alike."""

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request

from portal.search import IndexUnavailable

MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang hoặc văn bản này.",
    405: "Phương thức không được hỗ trợ.",
    500: "Đã có lỗi trong hệ thống. Xin thử lại sau.",
    503: "Chưa có chỉ mục để tìm kiếm. Quản trị viên cần chạy: python -m indexer build",
}


def _message(status: int, exc) -> str:
    # abort(404, "…") gives a missing thing its own Vietnamese message. Only 404s: Werkzeug raises
    # other statuses with English descriptions of its own (malformed requests), never shown.
    own = getattr(exc, "description", None)
    if status == 404 and isinstance(own, str) and own != type(exc).description:
        return own
    return MESSAGES.get(status, MESSAGES[500])


def _render(status: int, exc=None):
    message = _message(status, exc)
    if request.path.startswith("/api/"):
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    for status in (400, 404, 405, 500):
        app.register_error_handler(status, lambda exc, status=status: _render(status, exc))
    app.register_error_handler(IndexUnavailable, lambda exc: _render(503))
