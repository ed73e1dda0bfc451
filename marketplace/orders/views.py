"""Demand-order pages. Everyone signed in reads the board of open demand and
opens an order; its distributor manages it ("my orders", create, edit,
cancel) and an admin may cancel any. Views parse and render; the order
services decide."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from marketplace.auth.permissions import current_account as me
from marketplace.auth.permissions import role_required
from marketplace.core.clock import local_today
from marketplace.core.pagination import requested_page as page_number
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import direct
from marketplace.matches.forms import SupplyOfferForm
from marketplace.matches.hints import order_hints
from marketplace.matches.ratings import reviews_of
from marketplace.matches.search import Holds, holds, live_matches
from marketplace.models import DemandOrder, Match, OrderStatus, Rating
from marketplace.models.user import Role
from marketplace.orders import bp
from marketplace.orders.forms import OrderBrowseForm, OrderForm, order_form_data
from marketplace.orders.imports import COLUMNS, import_orders
from marketplace.orders.search import OrderFilters, browse_orders, distributor_orders, visible_order
from marketplace.orders.services import (
    LIVE,
    cancel_order,
    check_order,
    create_order,
    input_from_order,
    update_order,
)
from marketplace.trade.access import get_for_change
from marketplace.trade.browse import viewer_province
from marketplace.trade.forms import ImportForm
from marketplace.trade.imports import template_response
from marketplace.trade.scope import overseen_ids, oversees
from marketplace.web.formats import quantity
from marketplace.web.forms import apply_field_errors, submit
from marketplace.web.labels import province_name, unit_label

# What the order services still let a distributor edit or cancel.
CHANGEABLE = LIVE | {OrderStatus.EXPIRED}
OPEN = (OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED)
distributor_required = role_required(Role.DISTRIBUTOR)


@bp.get("")
@login_required
def board():
    form = OrderBrowseForm(formdata=request.args)
    parsed = form.validate()
    # Every bad filter is reported at once, as on the catalogue.
    try:
        results = browse_orders(OrderFilters(**form.common_filters()), local_today(),
                                viewer_province=viewer_province(current_user), page=page_number())
    except InvalidInput as error:
        form.errors_by_field(error)
        results = None
    if not parsed:
        results = None
    return render_template("orders/board.html", form=form, results=results), \
        200 if results is not None else 400


@bp.get("/<int:order_id>")
@login_required
def detail(order_id: int):
    # Hidden orders look exactly like missing ones, so ids leak nothing.
    return _render_detail(visible_order(me(), order_id) or abort(404))


def _render_detail(order, supply_form=None, status: int = 200):
    mine = order.distributor_id == current_user.id
    overseen = mine or oversees(me(), order)
    if supply_form is None and current_user.role == Role.PRODUCER and order.status in OPEN:
        supply_form = _supply_form(order)
    return render_template(
        "orders/detail.html", order=order, mine=mine, hints=order_hints(order) if mine else [],
        holds=holds(Match.order_id, [order.id]).get(order.id, Holds()) if overseen else None,
        held_by=live_matches(Match.order_id, order.id) if overseen else [], supply_form=supply_form,
        overseen=overseen,
        reviews=(reviews := reviews_of(order.distributor_id, limit=10)),
        hideable=overseen_ids(me(), Rating, [review.id for review, _title in reviews])), status


def _supply_form(order, form=None) -> SupplyOfferForm | None:
    """The producer's offer form, with its listings that fit the order; None if none does."""
    listings = direct.listings_to_offer(me(), order)
    if not listings:
        return None
    form = form or SupplyOfferForm(prefix="supply", data={
        "quantity": min(order.open_quantity, listings[0].available_quantity), "unit_price": listings[0].unit_price})
    form.listing_id.choices = [
        (listing.id, f"{listing.title} ({quantity(listing.available_quantity)} {unit_label(listing.unit)})")
        for listing in listings]
    return form


@bp.post("/<int:order_id>/offer")
@role_required(Role.PRODUCER)
def offer(order_id: int):
    """A producer offers to supply the order from one of its listings."""
    order = visible_order(me(), order_id) or abort(404)
    form = _supply_form(order, SupplyOfferForm(prefix="supply"))
    if form is None:
        abort(404)
    if form.validate_on_submit():
        try:
            match = direct.offer_to_supply(me(), order.id, form.listing_id.data, form.quantity.data,
                                           form.unit_price.data, form.note.data)
        except InvalidInput as error:
            apply_field_errors(form, error.fields, error.message)
        except (WrongState, NotAllowed) as error:
            flash(getattr(error, "message", None) or str(error), "error")
            return redirect(url_for(".detail", order_id=order.id))
        else:
            flash(_("Your offer is sent. It waits for the programme staff's review; you see it under My matches."),
                  "success")
            return redirect(url_for("matches.detail", match_id=match.id))
    # The service read the order afresh, without its distributor: load it as the page needs it.
    return _render_detail(visible_order(me(), order.id) or abort(404), supply_form=form, status=400)


@bp.get("/mine")
@distributor_required
def mine():
    return _render_mine()


def _render_mine(status: int = 200):
    results = distributor_orders(me(), OrderFilters(), page=page_number())
    return render_template("orders/mine.html", results=results,
                           holds_of=holds(Match.order_id, [row.id for row in results.items])), status


def _refuse(message: str):
    """The order's status forbids the action: say why."""
    if current_user.role == Role.DISTRIBUTOR:
        flash(message, "error")
        return _render_mine(409)
    return render_template("errors/error.html", status=409, message=message), 409


@bp.route("/new", methods=["GET", "POST"])
@distributor_required
def new():
    form = OrderForm()
    if request.method == "GET":
        form.unit.data = "kg"
        if current_user.profile:
            form.delivery_province.data = province_name(current_user.profile.province_code)
    elif submit(form, lambda: create_order(me(), form.to_input(), local_today()),
                lambda: check_order(form.to_input(), local_today())):
        flash(_("Your order is posted on the demand board."), "success")
        return redirect(url_for(".mine"))
    return render_template("orders/form.html", form=form, order=None), \
        400 if request.method == "POST" else 200


@bp.route("/<int:order_id>/edit", methods=["GET", "POST"])
@distributor_required
def edit(order_id: int):
    order = get_for_change(DemandOrder, order_id, me(), admin_too=False)
    if order.status not in CHANGEABLE:
        return _refuse(_("A fulfilled or cancelled order cannot be edited."))
    if request.method == "GET":
        form = OrderForm(data=order_form_data(input_from_order(order)))
    else:
        form = OrderForm()
        try:
            saved = submit(form, lambda: update_order(order, form.to_input(), local_today()),
                           lambda: check_order(form.to_input(), local_today(), order.committed_quantity))
        except WrongState as error:
            return _refuse(error.message)
        if saved:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".mine"))
    return render_template("orders/form.html", form=form, order=order), \
        400 if request.method == "POST" else 200


@bp.route("/<int:order_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(order_id: int):
    """A confirmation page, then the cancellation: works without JavaScript."""
    order = get_for_change(DemandOrder, order_id, me())
    if order.status not in CHANGEABLE:
        return _refuse(_("This order is already closed."))
    if request.method == "GET":
        return render_template("orders/cancel.html", order=order)
    try:
        cancel_order(order, me())
    except NotAllowed:
        abort(403)
    except WrongState as error:
        return _refuse(error.message)
    flash(_("“%(title)s” is cancelled.", title=order.title), "success")
    return redirect(url_for(".mine" if current_user.role == Role.DISTRIBUTOR else ".board"))


@bp.route("/import", methods=["GET", "POST"])
@distributor_required
def import_file():
    """A spreadsheet of orders: every row checked, all stored or none."""
    form, result, status = ImportForm(), None, 200
    if form.validate_on_submit():
        try:
            result = import_orders(me(), form.file.data, local_today(), dry_run=form.check_only.data)
        except InvalidInput as error:
            form.file.errors = [*form.file.errors, *(error.fields.values() or [error.message])]
        if result is not None and result.created:
            flash(ngettext("%(num)d order is posted, from your file.", "%(num)d orders are posted, from your file.", result.created), "success")
            return redirect(url_for(".mine"))
        status = 200 if result is not None and result.ok else 400
    elif request.method == "POST":
        status = 400
    return render_template("orders/import.html", form=form, result=result,
                           labels={column.name: column.label for column in COLUMNS}), status


@bp.get("/import/template-<any(vi, en):language>.<any(xlsx, csv):extension>")
@distributor_required
def import_template(language: str, extension: str):
    return template_response("orders-template", COLUMNS, language, extension)
