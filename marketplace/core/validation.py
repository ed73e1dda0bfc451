"""One exception for input a use case refuses, whoever sent it: forms show
``fields`` next to the inputs, the API returns them in its error shape."""
from __future__ import annotations

from datetime import date


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


# Date filters outside these bounds cannot be turned into moments (0001-01-01 in
# Vietnam is before datetime's first instant in UTC) and never match anything.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def date_range_problems(**days: date | None) -> dict[str, str]:
    """A message for each day given that falls outside FIRST_DAY..LAST_DAY."""
    from flask_babel import gettext as _

    return {name: _("Enter a date between %(first)s and %(last)s.", first=FIRST_DAY.isoformat(),
                    last=LAST_DAY.isoformat())
            for name, day in days.items() if day is not None and not FIRST_DAY <= day <= LAST_DAY}
