"""/api/v1/listings/<id>/lots and /api/v1/lots/<id>: a producer's lots and their EPCIS 2.0 trace records."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with
from marketplace.api.schemas.lots import LotInSchema, LotSchema
from marketplace.core.errors import ApiError
from marketplace.core.extensions import db
from marketplace.core.validation import NotAllowed
from marketplace.listings.search import visible_listing
from marketplace.models import Lot
from marketplace.trace.epcis import epcis_response
from marketplace.trace.gs1 import digital_link
from marketplace.trace.services import LotInput, create_lot, lot_events, lots_of, short_link, site_url, trace_url
from marketplace.trade.scope import oversees

bp = api_blueprint("api_lots", __name__, "Lots: a listing's batches, their links, QR codes and EPCIS 2.0 records.")


def as_json(lot: Lot) -> dict:
    link = (digital_link(site_url(), lot.listing.gtin, lot.code, lot.best_before) if lot.listing.gtin else None)
    return {
        "id": lot.id, "listing_id": lot.listing_id, "code": lot.code, "produced_on": lot.produced_on,
        "best_before": lot.best_before, "quantity": lot.quantity, "unit": lot.listing.unit,
        "raw_material_area_code": lot.raw_material_area_code, "stage_list": lot.stage_list,
        "trace_url": trace_url(lot), "short_link": short_link(lot), "digital_link": link,
        "qr_svg_url": url_for("trace.qr_code_svg", link_code=lot.link_code, _external=True),
        "qr_png_url": url_for("trace.qr_code_png", link_code=lot.link_code, _external=True),
        "epcis_url": url_for("api_lots.lot_epcis", lot_id=lot.id, _external=True),
        "created_at": lot.created_at,
    }


def _listing(listing_id: int):
    listing = visible_listing(current_user(), listing_id)
    if listing is None:
        raise ApiError(404, "not_found", _("No such listing."))
    return listing


def _lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    user = current_user()
    if lot is None or (lot.producer_id != user.id and not oversees(user, lot)):
        raise ApiError(404, "not_found", _("No such lot."))
    return lot


@bp.route(f"/listings/<{ID}:listing_id>/lots", endpoint="listing_lots")
class ListingLots(MethodView):
    @token_required
    @fails_with(403, 404)
    @bp.response(200, LotSchema(many=True))
    def get(self, listing_id: int):
        """A listing's lots (its producer, or an admin)"""
        listing, user = _listing(listing_id), current_user()
        if listing.producer_id != user.id and not oversees(user, listing):
            raise NotAllowed(_("Only the listing's producer sees its lots."))
        return [as_json(lot) for lot in lots_of(listing)]

    @token_required
    @fails_with(403, 404)
    @bp.arguments(LotInSchema)
    @bp.response(201, LotSchema)
    def post(self, data: dict, listing_id: int):
        """Record a lot of your listing

        Its commissioning is recorded as an EPCIS ObjectEvent (ADD). With a
        GTIN on the listing, the lot gets a GS1 Digital Link.
        """
        stages = "\n".join(s.strip() for s in data.pop("stages", None) or [] if s.strip())
        lot = create_lot(_listing(listing_id), current_user(), LotInput(stages=stages, **data))
        return as_json(lot)


@bp.route(f"/lots/<{ID}:lot_id>", endpoint="lot")
class OneLot(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, LotSchema)
    def get(self, lot_id: int):
        """One of your lots"""
        return as_json(_lot(lot_id))


@bp.route(f"/lots/<{ID}:lot_id>/epcis", endpoint="lot_epcis")
class LotEpcis(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, description="An EPCISDocument (application/ld+json, schemaVersion 2.0).")
    def get(self, lot_id: int):
        """The lot's trace record as an EPCIS 2.0 document

        The same document is public from the lot's link with
        `?linkType=gs1:epcis` or `Accept: application/ld+json`.
        """
        lot = _lot(lot_id)
        return epcis_response(lot, lot_events(lot), site_url())
