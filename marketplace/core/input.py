"""Input no use case should ever see, refused at the door with a 4xx:
JSON nested deeper than any body of ours, integers longer than any column,
NaN/Infinity, lone surrogates ("\\ud800", which no database can store) and NUL
bytes (which PostgreSQL refuses in text), in JSON bodies, forms and query strings."""
from __future__ import annotations

import json
import math
import re

from flask import Flask, request
from flask_babel import gettext as _

from marketplace.core.errors import ApiError, error_response, wants_json

MAX_DEPTH = 32
MAX_INT_DIGITS = 100
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class BadInput(ValueError):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field


class _Unusable:
    """Stands for a number no field can take, so the check can name its field."""

    def __init__(self, too_large: bool):
        self.too_large = too_large


def _integer(text: str):
    # Python refuses to parse integers beyond 4,300 digits (a ValueError, then a 500);
    # anything up to 100 digits goes on to the schema, which names the field and its range.
    return _Unusable(True) if len(text.lstrip("-")) > MAX_INT_DIGITS else int(text)


def _constant(name: str):
    return _Unusable(False)


def _float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else _Unusable(True)


def bad_text(text: str) -> bool:
    """NUL, or a lone surrogate (a half of a character that cannot be encoded)."""
    return _BAD_TEXT.search(text) is not None


def _check(value, depth: int, field: str | None) -> None:
    if depth > MAX_DEPTH:
        raise BadInput(400, _("The body is nested too deeply."))
    if isinstance(value, _Unusable):
        raise BadInput(422, _("This number is too large.") if value.too_large else _("Enter a number."), field)
    if isinstance(value, str):
        if bad_text(value):
            raise BadInput(422, _("This text contains a character that is not allowed."), field)
    elif isinstance(value, dict):
        for key, item in value.items():
            if bad_text(key):
                raise BadInput(422, _("A field name contains a character that is not allowed."))
            _check(item, depth + 1, field or key)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1, field)


def check_json(raw: bytes):
    """The parsed body, or BadInput with what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(400, _("The body is not valid JSON.")) from None
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise BadInput(400, _("The body is nested too deeply.")) from None
    except ValueError:
        raise BadInput(400, _("The body is not valid JSON.")) from None
    _check(value, 0, None)
    return value


def _refuse(status: int, message: str, field: str | None = None):
    fields = {field: message} if field else {}
    if wants_json():
        raise ApiError(status, "invalid" if status == 422 else "bad_request", message, fields)
    return error_response(status, "bad_request", message)


def init_input_checks(app: Flask) -> None:
    @app.before_request
    def refuse_bad_input():
        for source in (request.args, request.form):
            for key, values in source.lists():
                if bad_text(key) or any(bad_text(value) for value in values):
                    return _refuse(400, _("The request contains a character that is not allowed."))
        if request.is_json and request.content_length != 0:
            raw = request.get_data(cache=True)
            if raw:
                try:
                    check_json(raw)
                except BadInput as error:
                    return _refuse(error.status, error.message, error.field)
        return None
