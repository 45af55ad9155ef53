"""One place that maps errors to status codes and bilingual pages or JSON."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from eforms.errors import EformsError
from portal.auth.session import audit, denial_audited
from portal.i18n import current_lang
from storage.audit import Outcome

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _render(status: int, title: str, message: str, code: str) -> tuple[Response, int]:
    if _wants_json():
        response = jsonify({"error": {"code": code, "message": message, "status": status}})
    else:
        page = render_template("errors/error.html", status=status, title=title, message=message)
        response = Response(page, mimetype="text/html")
    if status == 503:
        # Temporary: clients and proxies may retry; nothing was changed.
        response.headers["Retry-After"] = "5"
    return response, status


def handle_domain_error(error: EformsError) -> tuple[Response, int]:
    if error.http_status == 403:
        audit(
            "access.denied",
            outcome=Outcome.DENIED,
            object_type="path",
            object_id=request.path,
            details={"method": request.method, **error.details},
        )
    status = error.http_status
    if status >= 500:
        log.error("domain error %s: %s", error.code, error.message_en)
    title = _("Không có quyền truy cập") if status == 403 else _("Không thực hiện được")
    return _render(status, title, error.message(current_lang()), error.code)


def handle_csrf(error: CSRFError) -> tuple[Response, int]:
    audit(
        "security.csrf_failed", outcome=Outcome.DENIED, object_type="path", object_id=request.path
    )
    message = _(
        "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã CSRF). "
        "Vui lòng tải lại trang và thử lại."
    )
    return _render(400, _("Yêu cầu không hợp lệ"), message, "security.csrf")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


_HTTP_MESSAGES = {
    400: (
        N_("Yêu cầu không hợp lệ"),
        N_("Yêu cầu gửi lên không đúng. Vui lòng kiểm tra và thử lại."),
    ),
    403: (N_("Không có quyền truy cập"), N_("Bạn không có quyền truy cập trang này.")),
    404: (
        N_("Không tìm thấy trang"),
        N_("Trang bạn tìm không tồn tại hoặc đã được chuyển đi."),
    ),
    405: (
        N_("Phương thức không được hỗ trợ"),
        N_("Thao tác này không được hỗ trợ tại địa chỉ này."),
    ),
    413: (N_("Tệp quá lớn"), N_("Dữ liệu gửi lên vượt quá dung lượng cho phép.")),
    429: (
        N_("Quá nhiều yêu cầu"),
        N_("Bạn đã gửi quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại."),
    ),
}


def handle_http(error: HTTPException) -> tuple[Response, int] | HTTPException:
    status = error.code or 500
    if status == 429:
        audit("security.rate_limited", outcome=Outcome.DENIED, object_id=request.path)
    title, message = _HTTP_MESSAGES.get(status, (N_("Lỗi"), N_("Đã xảy ra lỗi.")))
    return _render(status, _(title), _(message), f"http.{status}")


def audit_forbidden(response: Response) -> Response:
    """Leave an ``access.denied`` event for every 403 that has none yet.

    Role checks and the administrators' pages audit their refusals with more
    detail; this catches the rest (``abort(403)``, JSON answers built by
    hand), whatever produced them.
    """
    if response.status_code == 403 and not denial_audited():
        audit(
            "access.denied",
            outcome=Outcome.DENIED,
            object_type="path",
            object_id=request.path,
            details={"method": request.method, "endpoint": request.endpoint},
        )
    return response


def handle_database_down(error: DBAPIError) -> tuple[Response, int]:
    log.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    return _render(
        503,
        _("Hệ thống tạm thời gián đoạn"),
        _(
            "Không kết nối được cơ sở dữ liệu. Dữ liệu của bạn chưa bị thay đổi; vui lòng thử lại "
            "sau ít phút."
        ),
        "storage.database_unavailable",
    )


def handle_unexpected(error: Exception) -> tuple[Response, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(
        500,
        _("Lỗi hệ thống"),
        _("Hệ thống gặp sự cố. Dữ liệu của bạn chưa bị thay đổi. Vui lòng thử lại sau."),
        "http.500",
    )


def init_app(app: Flask) -> None:
    app.after_request(audit_forbidden)
    app.register_error_handler(EformsError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InterfaceError, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
