"""Listings from a spreadsheet: every row through the same checks as the
form, all or nothing (trade.imports reads the cells)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from marketplace.listings.services import ListingInput, check_listing, create_listings, require_producer
from marketplace.models import User
from marketplace.trade.checks import CertificateInput
from marketplace.trade.imports import (
    CATEGORY,
    CODES,
    DAY,
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
    ImportColumn("quantity", _l("Quantity for sale"), QUANTITY, required=True),
    ImportColumn("min_order_quantity", _l("Minimum order"), QUANTITY),
    ImportColumn("unit_price", _l("Price per unit (VND)"), MONEY, required=True),
    ImportColumn("province", _l("Province or city"), required=True),
    ImportColumn("description", _l("Description")),
    ImportColumn("available_from", _l("Available from"), DAY),
    ImportColumn("available_until", _l("Available until"), DAY),
    ImportColumn("stars", _l("OCOP stars"), STARS),
    ImportColumn("certifications", _l("Certifications"), CODES),
    ImportColumn("traceability_code", _l("Traceability code")),
    ImportColumn("raw_material_area_code", _l("Raw-material area code")),
)


def _input(values: dict) -> ListingInput:
    certifications = tuple(CertificateInput(code) for code in values.get("certifications") or ())
    defaults = {"title": "", "category": "", "unit": "", "quantity": None, "unit_price": None, "province": ""}
    given = {name: value for name, value in values.items() if value is not None and name != "certifications"}
    return ListingInput(**{**defaults, **given, "certifications": certifications})


def import_listings(producer: User, upload, today: date, dry_run: bool = False) -> ImportResult:
    """Checks every row; stores them all in one transaction, or none."""
    require_producer(producer)
    return run_import(COLUMNS, upload, _input, lambda data: check_listing(data, today),
                      lambda inputs: create_listings(producer, inputs, today), dry_run)
