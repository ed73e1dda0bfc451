"""Lots for tests, recorded through the service."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from marketplace.trace.services import LotInput, create_lot

STANDARDS = Path(__file__).resolve().parent.parent / "standards" / "epcis-2.0"


def epcis_schema() -> dict:
    return json.loads((STANDARDS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))


def make_lot(listing, code: str = "NM-2026-01", *, produced_on: date = date(2026, 11, 2),
             best_before: date | None = date(2028, 11, 1), quantity: int = 300,
             stages: str = "đánh bắt cá cơm\nủ chượp 12 tháng\nđóng chai", area: str | None = "VT-KG-07"):
    return create_lot(listing, listing.producer, LotInput(code=code, produced_on=produced_on, quantity=quantity,
                                                          best_before=best_before, raw_material_area_code=area,
                                                          stages=stages))
