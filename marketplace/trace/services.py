"""Lot use cases: a producer records and edits lots of its listings; shipping
and receipt append the lots' trace events. One commit per use case."""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.core.clock import VIETNAM, local_today, utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed
from marketplace.models import Listing, ListingStatus, Lot, Match, Shipment, ShipmentLot, TraceEvent, User
from marketplace.trace.gs1 import digital_link, lot_is_valid
from marketplace.trade.checks import CODE_MAX, MAX_QUANTITY, check_text

STAGES_MAX = 2000
LINK_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"     # no 0/o, 1/l/i: read aloud or typed from a label


@dataclass(frozen=True)
class LotInput:
    code: str
    produced_on: date | None
    quantity: int | None
    best_before: date | None = None
    raw_material_area_code: str | None = None
    stages: str = ""


def _checked(listing: Listing, data: LotInput, lot: Lot | None = None) -> dict:
    errors = FieldErrors()
    code = (data.code or "").strip()
    if not code:
        errors.add("code", _("Enter the lot code."))
    elif not lot_is_valid(code):
        errors.add("code", _("Up to 20 letters, digits and - . / _ (no spaces or accents), as GS1 allows on labels."))
    elif db.session.scalar(select(Lot.id).where(Lot.producer_id == listing.producer_id, Lot.code == code,
                                                Lot.id != (lot.id if lot else 0))):
        errors.add("code", _("You already have a lot with this code."))
    today = local_today()
    if data.produced_on is None:
        errors.add("produced_on", _("Give the day it was produced or harvested."))
    elif data.produced_on > today:
        errors.add("produced_on", _("This date is in the future."))
    if data.best_before and data.produced_on and data.best_before < data.produced_on:
        errors.add("best_before", _("The best-before day is before the production day."))
    if data.quantity is None or not 0 < data.quantity <= MAX_QUANTITY:
        errors.add("quantity", _("Enter a whole number greater than zero."))
    area = check_text(errors, "raw_material_area_code", data.raw_material_area_code, CODE_MAX) or None
    stages = check_text(errors, "stages", data.stages, STAGES_MAX)
    if errors:
        raise InvalidInput(dict(errors))
    return {"code": code, "produced_on": data.produced_on, "best_before": data.best_before,
            "quantity": data.quantity, "raw_material_area_code": area or listing.raw_material_area_code,
            "stages": stages}


def _own(listing: Listing, user: User) -> None:
    if listing.producer_id != user.id:
        raise NotAllowed(_("You can only record lots of your own listings."))
    if listing.status == ListingStatus.REMOVED:
        raise NotAllowed(_("This listing was removed."))


def _new_link_code() -> str:
    while True:
        code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(8))
        if not db.session.scalar(select(Lot.id).where(Lot.link_code == code)):
            return code


def create_lot(listing: Listing, user: User, data: LotInput) -> Lot:
    """Records a lot and its commissioning event."""
    _own(listing, user)
    values = _checked(listing, data)
    lot = Lot(listing_id=listing.id, producer_id=listing.producer_id, link_code=_new_link_code(), **values)
    db.session.add(lot)
    db.session.flush()
    produced = datetime.combine(lot.produced_on, time(12), VIETNAM).astimezone(UTC)
    _append(lot, "commissioning", "ADD", min(produced, utcnow()), quantity=lot.quantity,
            details={"ilmd": _ilmd(lot)})
    emit_event("lot.created", target_type="lot", target_id=lot.id, actor=user, listing_id=listing.id, code=lot.code)
    db.session.commit()
    return lot


def update_lot(lot: Lot, user: User, data: LotInput) -> Lot:
    """Corrects a lot's record; its events stay as they were recorded."""
    _own(lot.listing, user)
    for name, value in _checked(lot.listing, data, lot).items():
        setattr(lot, name, value)
    emit_event("lot.updated", target_type="lot", target_id=lot.id, actor=user, code=lot.code)
    db.session.commit()
    return lot


def _ilmd(lot: Lot) -> dict:
    return {"produced_on": lot.produced_on.isoformat(),
            "best_before": lot.best_before.isoformat() if lot.best_before else None,
            "raw_material_area_code": lot.raw_material_area_code, "stages": lot.stage_list}


def _append(lot: Lot, biz_step: str, action: str, when: datetime, *, quantity: int | None = None,
            match_id: int | None = None, shipment_id: int | None = None, details: dict | None = None) -> None:
    db.session.add(TraceEvent(event_id=f"urn:uuid:{uuid.uuid4()}", lot_id=lot.id, biz_step=biz_step, action=action,
                              event_time=when, match_id=match_id, shipment_id=shipment_id, quantity=quantity,
                              unit=lot.listing.unit, details=details or {}))


def check_shipment_lots(match: Match, lot_ids: list[int] | tuple[int, ...]) -> list[Lot]:
    """The match's listing's lots named by ``lot_ids``; InvalidInput for any other."""
    ids = sorted(set(lot_ids or ()))
    if not ids:
        return []
    lots = list(db.session.scalars(select(Lot).where(Lot.id.in_(ids), Lot.listing_id == match.listing_id)
                                   .order_by(Lot.id)))
    if len(lots) != len(ids):
        raise InvalidInput({"lots": _("Choose lots of this deal's listing only.")})
    return lots


def record_shipping(match: Match, shipment: Shipment, lots: list[Lot]) -> None:
    """The shipment's lots and one shipping event for each; the caller commits."""
    from marketplace.models import DemandOrder

    if not lots:
        return
    order = db.session.get(DemandOrder, match.order_id)
    details = {"source": match.producer_id, "destination": match.distributor_id,
               "province": order.delivery_province_code}
    when = datetime.combine(shipment.shipped_on, time(12), VIETNAM).astimezone(UTC)
    for lot in lots:
        db.session.add(ShipmentLot(shipment_id=shipment.id, lot_id=lot.id))
        _append(lot, "shipping", "OBSERVE", min(when, utcnow()), match_id=match.id, shipment_id=shipment.id,
                quantity=shipment.quantity if len(lots) == 1 else None, details=details)


def record_receiving(match: Match, received: int) -> None:
    """A receiving event for each lot the match's shipments carried; the caller commits."""
    from marketplace.models import DemandOrder

    lots = list(db.session.scalars(
        select(Lot).join(ShipmentLot, ShipmentLot.lot_id == Lot.id)
        .join(Shipment, Shipment.id == ShipmentLot.shipment_id)
        .where(Shipment.match_id == match.id).distinct().order_by(Lot.id)))
    if not lots:
        return
    order = db.session.get(DemandOrder, match.order_id)
    details = {"source": match.producer_id, "destination": match.distributor_id,
               "province": order.delivery_province_code}
    for lot in lots:
        _append(lot, "receiving", "OBSERVE", utcnow(), match_id=match.id,
                quantity=received if len(lots) == 1 else None, details=details)


def lot_events(lot: Lot) -> list[TraceEvent]:
    return list(db.session.scalars(select(TraceEvent).where(TraceEvent.lot_id == lot.id)
                                   .order_by(TraceEvent.event_time, TraceEvent.id)))


def lots_of(listing: Listing) -> list[Lot]:
    return list(db.session.scalars(select(Lot).where(Lot.listing_id == listing.id)
                                   .order_by(Lot.produced_on.desc(), Lot.id.desc())))


def site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def short_link(lot: Lot) -> str:
    return f"{site_url()}/t/{lot.link_code}"


def trace_url(lot: Lot) -> str:
    """What the lot's QR code opens: its GS1 Digital Link when the listing has a GTIN, else the short link."""
    if lot.listing.gtin:
        return digital_link(site_url(), lot.listing.gtin, lot.code, lot.best_before)
    return short_link(lot)


def lot_by_link(link_code: str) -> Lot | None:
    return db.session.scalar(select(Lot).where(Lot.link_code == link_code))


def lot_by_gtin(gtin: str, code: str) -> Lot | None:
    from marketplace.trace.gs1 import gtin14

    candidates = db.session.scalars(select(Lot).join(Listing, Listing.id == Lot.listing_id)
                                    .where(Lot.code == code, Listing.gtin.is_not(None)).order_by(Lot.id))
    return next((lot for lot in candidates if gtin14(lot.listing.gtin) == gtin14(gtin)), None)

