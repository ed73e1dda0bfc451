"""Lots: what a producer sends (LotIn) and what the API returns (Lot)."""
from __future__ import annotations

from marketplace.api.schemas.base import ApiSchema, Date, DateTime, Integer, List, String, body_int, text
from marketplace.trace.services import STAGES_MAX
from marketplace.trade.checks import CODE_MAX


class LotInSchema(ApiSchema):
    """A new lot of the listing; ``quantity`` in the listing's base unit."""
    code = text(40, required=True, metadata={
        "description": "Unique among your lots: up to 20 letters, digits and ! \" % & ' ( ) * + , - . / : ; < = > ? _ "
                       "(GS1 AI 10)."})
    produced_on = Date(required=True, metadata={"description": "Produced or harvested on."})
    best_before = Date(allow_none=True)
    quantity = body_int(required=True, metadata={"description": "In the listing's base unit."})
    raw_material_area_code = text(CODE_MAX, allow_none=True, metadata={
        "description": "Defaults to the listing's raw-material area code."})
    stages = List(text(STAGES_MAX), metadata={"description": "The stages in order, one string each."})


class LotSchema(ApiSchema):
    id = Integer()
    listing_id = Integer()
    code = String()
    produced_on = Date()
    best_before = Date(allow_none=True)
    quantity = Integer()
    unit = String(metadata={"description": "The listing's base unit."})
    raw_material_area_code = String(allow_none=True)
    stages = List(String(), attribute="stage_list")
    trace_url = String(metadata={"description": "What the QR code opens: the Digital Link, else the short link."})
    short_link = String()
    digital_link = String(allow_none=True, metadata={
        "description": "https://SITE/01/<GTIN-14>/10/<lot>?17=YYMMDD when the listing has a GTIN."})
    qr_svg_url = String()
    qr_png_url = String()
    epcis_url = String()
    created_at = DateTime()
