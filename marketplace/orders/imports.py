"""Demand orders from a spreadsheet: every row through the same checks as
the form, all or nothing (trade.imports reads the cells)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from marketplace.models import User
from marketplace.orders.services import OrderInput, check_order, create_orders, require_distributor
from marketplace.trade.imports import (
    CATEGORY,
    CODES,
    DAY,
    FLAG,
    MONEY,
    QUANTITY,
    STARS,
    UNIT,
    ImportColumn,
    ImportResult,
    run_import,
)

COLUMNS = (
    ImportColumn("title", _l("Title"), required=True),
    ImportColumn("category", _l("Category"), CATEGORY, required=True),
    ImportColumn("unit", _l("Unit"), UNIT, required=True),
    ImportColumn("quantity", _l("Quantity wanted"), QUANTITY, required=True),
    ImportColumn("max_unit_price", _l("Highest price per unit (VND)"), MONEY, required=True),
    ImportColumn("delivery_province", _l("Delivery province or city"), required=True),
    ImportColumn("needed_by", _l("Needed by"), DAY),
    ImportColumn("description", _l("Description")),
    ImportColumn("min_stars", _l("Minimum OCOP stars"), STARS),
    ImportColumn("required_certifications", _l("Required certifications"), CODES),
    ImportColumn("allow_split", _l("Several producers may fill this order"), FLAG),
)


def _input(values: dict) -> OrderInput:
    defaults = {"title": "", "category": "", "unit": "", "quantity": None, "max_unit_price": None,
                "delivery_province": ""}
    given = {name: value for name, value in values.items() if value is not None}
    return OrderInput(**{**defaults, **given})


def import_orders(distributor: User, upload, today: date, dry_run: bool = False) -> ImportResult:
    """Checks every row; stores them all in one transaction, or none."""
    require_distributor(distributor)
    return run_import(COLUMNS, upload, _input, lambda data: check_order(data, today),
                      lambda inputs: create_orders(distributor, inputs, today), dry_run)
