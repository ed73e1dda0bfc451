"""Building blocks for the API's marshmallow schemas: fields whose messages
come from our catalogue (marshmallow ships English only), the strict base
schema, the page envelope and the error shape. The same schemas validate
requests and generate /api/v1/openapi.json."""
from __future__ import annotations

import math
from decimal import Decimal

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from marketplace.core.pagination import MAX_PER_PAGE

# Messages are lazy: they are turned into text in the request's language
# when the error is rendered.
POSITIVE_QUANTITY = _l("Enter a whole number greater than zero.")
COMMON_MESSAGES = {
    "required": _l("This field is required."),
    "null": _l("This field may not be null."),
    "validator_failed": _l("Invalid input."),
}


class ApiSchema(ma.Schema):
    """Unknown fields are refused by name, so a typo is never silently dropped."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": _l("Unknown field."), "type": _l("Send a JSON object.")}


class String(fields.String):
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Enter text."),
                              "invalid_utf8": _l("Enter text.")}


class Integer(fields.Integer):
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Not a valid integer value."),
                              "too_large": _l("This number is too large.")}


class Boolean(fields.Boolean):
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Enter true or false.")}


class Date(fields.Date):
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Not a valid date value."),
                              "format": _l("Not a valid date value.")}


class DateTime(fields.DateTime):
    default_error_messages = {**COMMON_MESSAGES}


class List(fields.List):
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Send a list.")}


class Nested(fields.Nested):
    default_error_messages = {**COMMON_MESSAGES, "type": _l("Send a JSON object.")}


class Enum(fields.Enum):
    default_error_messages = {**COMMON_MESSAGES, "unknown": _l("Not a valid choice.")}

    def __init__(self, enum, **kwargs):
        # apispec lists the values but leaves out their type.
        metadata = {"type": "string", **kwargs.pop("metadata", {})}
        super().__init__(enum, by_value=True, metadata=metadata, **kwargs)


class MaxLength(validate.Length):
    """Length with the message the services use, so a long title reads the
    same whichever check catches it; apispec still documents maxLength."""

    def __init__(self, limit: int, minimum: int | None = None):
        super().__init__(min=minimum, max=limit)

    def _format_error(self, value, message: str) -> str:
        if self.min is not None:
            return _("Between %(min)d and %(max)d characters.", min=self.min, max=self.max)
        return _("At most %(max)d characters.", max=self.max)


def choice(values) -> validate.OneOf:
    return validate.OneOf(list(values), error=_l("Not a valid choice."))


class Between(validate.Range):
    """An inclusive range whose message names the bounds, in the caller's language."""

    def __init__(self, low: int, high: int | None = None, message=None):
        super().__init__(min=low, max=high, error=message)

    def _format_error(self, value, message: str) -> str:
        if self.error or self.max is None:
            return str(self.error or _("Invalid input."))
        return _("Enter a whole number from %(min)d to %(max)d.", min=self.min, max=self.max)


class Quantity(fields.Number):
    """A quantity in the body's ``unit``: a whole number, or a decimal such as
    1.5 (tấn) that the service accepts when it comes to whole base units.
    Strings and booleans are refused, not cast."""

    num_type = float  # for the OpenAPI document; _deserialize hands out int or Decimal
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Enter a number greater than zero, e.g. 2 or 1.5."),
                              "too_large": _l("This number is too large.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, int):
            if abs(value) > 10**18:
                raise self.make_error("too_large")
            return value
        if not math.isfinite(value):
            raise self.make_error("invalid")
        return Decimal(repr(value))


def body_quantity(metadata: dict | None = None, **kwargs) -> Quantity:
    return Quantity(validate=validate.Range(min=0, min_inclusive=False, error=POSITIVE_QUANTITY),
                    metadata={"exclusiveMinimum": True, **(metadata or {})}, **kwargs)


def body_int(**kwargs) -> Integer:
    """An integer in a JSON body: 1.5, "5" and true are refused, not rounded or cast."""
    return Integer(strict=True, **kwargs)


def text(limit: int, minimum: int | None = None, **kwargs) -> String:
    return String(validate=MaxLength(limit, minimum), **kwargs)


class PageQuery(ApiSchema):
    """``page`` and ``per_page`` of every list; per_page above 100 is refused, not clamped."""
    page = Integer(validate=Between(1, 10**6),
                   metadata={"description": "1-based page number (default 1)."})
    per_page = Integer(validate=Between(1, MAX_PER_PAGE),
                       metadata={"description": f"Items per page, 1 to {MAX_PER_PAGE} (default 20)."})


_PAGE_SCHEMAS: dict[str, type[ma.Schema]] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The one list envelope: ``{"items", "page", "per_page", "total"}``,
    dumped straight from a :class:`marketplace.core.pagination.Page`."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _PAGE_SCHEMAS:
        _PAGE_SCHEMAS[name] = type(name, (ma.Schema,), {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True),
        })
    return _PAGE_SCHEMAS[name]


class ErrorDetailSchema(ma.Schema):
    code = fields.String(required=True, metadata={"example": "invalid"})
    message = fields.String(required=True)
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields", required=True,
                          metadata={"description": "Field name -> what is wrong with it; nested "
                                                   "fields are joined with dots (certifications.0.code)."})


class ErrorSchema(ma.Schema):
    """Every API error, whatever its status: ``{"error": {"code", "message", "fields"}}``."""
    error = fields.Nested(ErrorDetailSchema, required=True)
