"""A lot's trace events as a GS1 EPCIS 2.0 document (JSON-LD)."""
from __future__ import annotations

from flask import Response, jsonify

from marketplace.core.clock import utcnow
from marketplace.models import Lot, TraceEvent
from marketplace.trace.gs1 import digital_link

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
MEDIA_TYPE = "application/ld+json"
# UN/ECE Recommendation 20 codes of the base units quantities are stored in.
REC20 = {"kg": "KGM", "l": "LTR", "metre": "MTR", "night": "DAY"}
PIECES = "H87"
DISPOSITIONS = {"commissioning": "active", "shipping": "in_transit", "receiving": "in_progress"}


def uom(unit: str | None) -> str:
    return REC20.get(unit or "", PIECES)


def epc_class(lot: Lot, site: str) -> str:
    """The lot's class-level identifier: its Digital Link (without the query), or its short link."""
    if lot.listing.gtin:
        return digital_link(site, lot.listing.gtin, lot.code)
    return f"{site}/t/{lot.link_code}"


def _party(site: str, user_id: int) -> str:
    return f"{site}/producers/{user_id}" if user_id else site


def _event(lot: Lot, event: TraceEvent, site: str) -> dict:
    when = event.event_time
    body = {
        "type": "ObjectEvent",
        "eventID": event.event_id,
        "eventTime": when.isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": "+07:00",
        "recordTime": event.created_at.isoformat().replace("+00:00", "Z"),
        "epcList": [],
        "action": event.action,
        "bizStep": event.biz_step,
        "disposition": DISPOSITIONS[event.biz_step],
    }
    quantity = {"epcClass": epc_class(lot, site)}
    if event.quantity is not None:
        quantity |= {"quantity": event.quantity, "uom": uom(event.unit)}
    body["quantityList"] = [quantity]
    details = event.details or {}
    if event.match_id:
        body["bizTransactionList"] = [{"type": "po", "bizTransaction": f"{site}/matches/{event.match_id}"}]
    if "source" in details:
        body["sourceList"] = [{"type": "owning_party", "source": f"{site}/users/{details['source']}"}]
        body["destinationList"] = [{"type": "owning_party", "destination": f"{site}/users/{details['destination']}"}]
    if "province" in details:
        body["cungcau:destinationProvince"] = details["province"]
    ilmd = details.get("ilmd")
    if ilmd:
        body["ilmd"] = {key: value for key, value in {
            "cbvmda:lotNumber": lot.code,
            "cbvmda:bestBeforeDate": ilmd.get("best_before"),
            "cungcau:productionDate": ilmd.get("produced_on"),
            "cungcau:rawMaterialAreaCode": ilmd.get("raw_material_area_code"),
            "cungcau:stages": ilmd.get("stages") or None,
        }.items() if value is not None}
    return body


def epcis_document(lot: Lot, events: list[TraceEvent], site: str) -> dict:
    return {
        "@context": [CONTEXT, {"cungcau": f"{site}/ns/trace#"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": utcnow().isoformat().replace("+00:00", "Z"),
        "epcisBody": {"eventList": [_event(lot, event, site) for event in events]},
    }


def epcis_response(lot: Lot, events: list[TraceEvent], site: str) -> Response:
    response = jsonify(epcis_document(lot, events, site))
    response.mimetype = MEDIA_TYPE
    response.headers["Vary"] = "Accept"
    return response
