"""Lot pages. A producer records and edits lots of its listings and prints
their labels; anyone opens a lot's trace page from its QR code (the short
link or the GS1 Digital Link), which also answers with the lot's EPCIS 2.0
document when asked for it."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.auth.permissions import current_account as me
from marketplace.auth.permissions import role_required
from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.models import Listing, Lot, User
from marketplace.models.user import Role, UserStatus
from marketplace.trace import bp
from marketplace.trace.epcis import MEDIA_TYPE, epcis_response
from marketplace.trace.forms import LotForm
from marketplace.trace.qr import qr_png, qr_svg
from marketplace.trace.services import (
    create_lot,
    lot_by_gtin,
    lot_by_link,
    lot_events,
    lots_of,
    short_link,
    site_url,
    trace_url,
    update_lot,
)
from marketplace.trade.access import get_for_change
from marketplace.web.forms import submit

producer_required = role_required(Role.PRODUCER)
LONG_CACHE = "public, max-age=86400"


@bp.route("/listings/<int:listing_id>/lots", methods=["GET", "POST"])
@producer_required
def listing_lots(listing_id: int):
    listing = get_for_change(Listing, listing_id, me(), admin_too=False)
    form = LotForm()
    if request.method == "POST":
        if submit(form, lambda: create_lot(listing, me(), form.to_input()), lambda: None):
            flash(_("The lot is recorded. Print its labels or share its link."), "success")
            return redirect(url_for(".listing_lots", listing_id=listing.id))
    elif listing.raw_material_area_code:
        form.raw_material_area_code.data = listing.raw_material_area_code
    lots = lots_of(listing)
    return render_template("trace/lots.html", listing=listing, lots=lots, form=form,
                           links={lot.id: trace_url(lot) for lot in lots}), 400 if form.errors else 200


@bp.route("/lots/<int:lot_id>/edit", methods=["GET", "POST"])
@producer_required
def edit_lot(lot_id: int):
    lot = get_for_change(Lot, lot_id, me(), admin_too=False)
    form = LotForm(obj=lot) if request.method == "GET" else LotForm()
    if request.method == "POST" and submit(form, lambda: update_lot(lot, me(), form.to_input()), lambda: None):
        flash(_("Your changes are saved."), "success")
        return redirect(url_for(".listing_lots", listing_id=lot.listing_id))
    return render_template("trace/edit.html", lot=lot, form=form), 400 if form.errors else 200


@bp.get("/listings/<int:listing_id>/labels")
@producer_required
def labels(listing_id: int):
    """An A4 sheet of labels, ready to print: each lot repeated ``copies`` times."""
    listing = get_for_change(Listing, listing_id, me(), admin_too=False)
    chosen = set(request.args.getlist("lot", type=int))
    lots = [lot for lot in lots_of(listing) if not chosen or lot.id in chosen]
    copies = min(max(request.args.get("copies", 8, type=int) or 8, 1), 64)
    labels = [(lot, trace_url(lot), short_link(lot)) for lot in lots for _ in range(copies)]
    svgs = {lot.id: qr_svg(trace_url(lot)).decode().split("?>", 1)[-1] for lot in lots}
    return render_template("trace/labels.html", listing=listing, labels=labels, svgs=svgs)


def _public(lot: Lot | None) -> Lot:
    if lot is None:
        abort(404)
    producer = db.session.get(User, lot.producer_id)
    if producer is None or producer.status != UserStatus.ACTIVE:
        abort(404)
    return lot


def _wants_epcis() -> bool:
    if request.args.get("linkType") == "gs1:epcis":
        return True
    best = request.accept_mimetypes.best_match(["text/html", MEDIA_TYPE, "application/json"])
    return best in (MEDIA_TYPE, "application/json") and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def _journey(lot: Lot) -> list[dict]:
    steps = []
    for event in lot_events(lot):
        province = (event.details or {}).get("province")
        steps.append({"step": event.biz_step, "when": event.event_time, "quantity": event.quantity,
                      "unit": event.unit, "province": province})
    return steps


def _trace_page(lot: Lot):
    if _wants_epcis():
        return epcis_response(lot, lot_events(lot), site_url())
    listing = lot.listing
    producer = db.session.scalar(select(User).where(User.id == lot.producer_id))
    response = Response(render_template(
        "trace/page.html", lot=lot, listing=listing, producer=producer, profile=producer.profile,
        certifications=listing.certifications, today=local_today(), journey=_journey(lot), link=trace_url(lot),
        cover=listing.cover,
        epcis_url=url_for(".short", link_code=lot.link_code, linkType="gs1:epcis")))
    response.headers["Vary"] = "Accept, Cookie, Accept-Language"
    response.headers["Link"] = (f'<{url_for(".short", link_code=lot.link_code, linkType="gs1:epcis", _external=False)}>;'
                                f' rel="gs1:epcis"; type="{MEDIA_TYPE}"')
    return response


@bp.get("/t/<string:link_code>")
def short(link_code: str):
    return _trace_page(_public(lot_by_link(link_code)))


@bp.get("/01/<string:gtin>/10/<path:lot_code>")
def digital_link(gtin: str, lot_code: str):
    if not gtin.isdigit() or len(gtin) != 14:
        abort(404)
    return _trace_page(_public(lot_by_gtin(gtin, lot_code)))


@bp.get("/t/<string:link_code>/qr.svg")
def qr_code_svg(link_code: str):
    lot = _public(lot_by_link(link_code))
    return Response(qr_svg(trace_url(lot)), mimetype="image/svg+xml", headers={"Cache-Control": LONG_CACHE})


@bp.get("/t/<string:link_code>/qr.png")
def qr_code_png(link_code: str):
    lot = _public(lot_by_link(link_code))
    return Response(qr_png(trace_url(lot)), mimetype="image/png", headers={"Cache-Control": LONG_CACHE})

