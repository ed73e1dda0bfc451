"""The API's errors in the project's one shape. flask-smorest would install
its own app-wide handler (a different shape, and on the HTML pages too), so
the handlers here are attached to the API blueprints only; routing errors
(404, 405) and rate limits reach the site handler, which already answers
JSON under /api/."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from marketplace.core.errors import ApiError, error_response
from marketplace.core.rate import RateLimited
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState

SCHEMA_KEY = "_schema"   # marshmallow's key for errors about the whole body


def flatten(messages, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as ``{"certifications.0.code": "..."}``,
    one message per field."""
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            for name, message in flatten(value, f"{prefix}.{key}" if prefix else str(key)).items():
                flat.setdefault(name, message)
        return flat
    if isinstance(messages, (list, tuple)):
        flat = {}
        for item in messages:
            for name, message in flatten(item, prefix).items():
                flat.setdefault(name, message)
        return flat
    return {prefix: str(messages)}


def _invalid(fields: dict[str, str], message: str | None = None):
    return error_response(422, "invalid", message or _("Some fields are not valid."), fields)


def _parse_failure(error: UnprocessableEntity):
    # webargs puts the messages under their location: {"json": {...}} or {"query": {...}}.
    located = (getattr(error, "data", None) or {}).get("messages") or {}
    fields: dict[str, str] = {}
    for messages in located.values():
        fields.update(flatten(messages))
    whole_body = fields.pop(SCHEMA_KEY, None)
    return _invalid(fields, whole_body)


def _bad_request(error: BadRequest):
    if getattr(error, "data", None):  # webargs could not decode the body
        return error_response(400, "bad_request", _("The body is not valid JSON."))
    return error_response(400, "bad_request", _("The request is malformed."))


def _api_error(error: ApiError):
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if error.status == 401 else None
    return error_response(error.status, error.code, error.message, error.fields, headers=headers)


def attach_error_handlers(bp: Blueprint) -> None:
    bp.register_error_handler(UnprocessableEntity, _parse_failure)
    bp.register_error_handler(BadRequest, _bad_request)
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(InvalidInput, lambda error: _invalid(error.fields, error.message))
    bp.register_error_handler(NotAllowed, lambda error: error_response(403, "forbidden", str(error)))
    bp.register_error_handler(WrongState, lambda error: error_response(409, "conflict", error.message))
    bp.register_error_handler(RateLimited, lambda error: error_response(429, "rate_limited", error.message))
