"""The one error format: ``{"error": {"code", "message", "fields"}}`` for the
API, a short page for browsers. No request ever ends in a bare 500 page or
a stack trace."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from marketplace.core.concurrency import is_concurrent_conflict
from marketplace.core.extensions import db
from marketplace.core.rate import RateLimited


class ApiError(Exception):
    """Raised by API views; rendered with the project's JSON error shape."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers=None):
    headers = headers or {}
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        return jsonify(body), status, headers
    return render_template("errors/error.html", status=status, message=message), status, headers


_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
          415: "unsupported_media_type", 422: "invalid", 429: "rate_limited"}


def _messages():
    return {
        401: _("Please log in."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This method is not allowed here."),
        410: _("This page is no longer here: the listing was removed."),
        413: _("The request is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }


def init_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.fields)

    @app.errorhandler(RateLimited)
    def handle_rate_limited(error: RateLimited):
        db.session.rollback()
        return error_response(429, "rate_limited", error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return error_response(400, "csrf_failed",
                              _("The form expired or came from another site. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        if isinstance(error, InternalServerError):
            return handle_unexpected(error)
        status = error.code or 400
        message = _messages().get(status) or error.description or error.name
        # Keep what the exception says beyond its body, e.g. "Allow" on a 405.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return error_response(status, _CODES.get(status, "http_error"), message, headers=headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(IntegrityError)
    def handle_database_conflict(error):
        """Two requests changed the same rows at once (a deadlock PostgreSQL
        broke, a lock that timed out, a CHECK the loser now fails): the
        request changed nothing and can simply be sent again."""
        db.session.rollback()
        if not is_concurrent_conflict(error):
            return handle_unexpected(error)
        app.logger.warning("Conflict on %s %s: %s", request.method, request.path, error.orig)
        return error_response(409, "conflict", _("Someone else changed this at the same moment. Please try again."))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500, "internal_error",
                              _("Something went wrong on our side. Nothing you sent was lost; please try again."))
