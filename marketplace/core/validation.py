"""One exception for input a use case refuses, whoever sent it: forms show
``fields`` next to the inputs, the API returns them in its error shape."""
from __future__ import annotations


class FieldErrors(dict):
    """Messages by field name, gathered while checking input; the first
    message for a field wins (it names the first problem)."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)


class InvalidInput(Exception):
    def __init__(self, fields: dict[str, str], message: str | None = None):
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields
        self.message = message


class NotAllowed(Exception):
    """The actor may not do this to this record (shown as 403, or 404 when
    even the record's existence is not theirs to know)."""


class WrongState(Exception):
    """The record's status does not allow this action now (409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
