"""URL converters: ``<int:id>`` on every route is bounded by the ids the
database can hold, so /listings/9223372036854775808 is a 404 instead of an
overflow in the query (SQLite) or an out-of-range error (PostgreSQL's
32-bit keys)."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_routing(app: Flask) -> None:
    """Must run before any blueprint is registered: rules pick their converter when added."""
    app.url_map.converters["int"] = BoundedIntegerConverter
