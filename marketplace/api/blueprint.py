"""The one way to make an API blueprint: JSON errors and JSON bodies."""
from __future__ import annotations

from http import HTTPStatus

from flask import current_app, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from marketplace.api.errors import attach_error_handlers
from marketplace.core.errors import ApiError

PREFIX = "/api/v1"
# Ids are 32-bit: a larger one in the URL would overflow the query instead
# of missing, so the route itself refuses it (404).
ID = f"int(min=1, max={2**31 - 1})"
BODY_METHODS = {"POST", "PUT", "PATCH"}


def body_optional(method):
    """Marks an action whose body may be left out (``POST .../accept``): a
    client with nothing to say need not invent ``{}``."""
    method.body_optional = True
    return method


def multipart_body(method):
    """Marks an action that takes a file upload (multipart/form-data) instead of JSON."""
    method.multipart_body = True
    return method


def _handler(attribute: str) -> bool:
    view = current_app.view_functions.get(request.endpoint)
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(handler, attribute, False)


def _body_may_be_empty() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(handler, "body_optional", False) and not request.get_data(cache=True)


def _require_json_body() -> None:
    if request.method not in BODY_METHODS or _body_may_be_empty():
        return
    if _handler("multipart_body"):
        if request.mimetype != "multipart/form-data":
            raise ApiError(415, "unsupported_media_type",
                           _("Send the file as multipart/form-data, in the field “file”."))
        return
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       _("Send the body as JSON, with Content-Type: application/json."))
    # webargs would read an empty body as {}: a PATCH that says nothing is
    # more likely a client bug than a wish to change nothing.
    if not request.get_data(cache=True):
        raise ApiError(400, "bad_request", _("The body is not valid JSON."))


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=PREFIX, description=description)
    attach_error_handlers(bp)
    bp.before_request(_require_json_body)
    return bp


def fails_with(*statuses: int):
    """Documents the error responses an operation gives besides 401 and 422."""
    return Blueprint.doc(responses={status: HTTPStatus(status).name for status in statuses})
