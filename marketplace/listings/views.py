"""Listing pages. Everyone signed in browses the catalogue and opens a
listing; its producer manages it ("my listings", create, edit, pause, resume,
remove) and an admin may remove any. Views parse and render; the listing
services decide."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from marketplace.auth.permissions import current_account as me
from marketplace.auth.permissions import role_required
from marketplace.core.clock import local_today
from marketplace.core.pagination import requested_page as page_number
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.listings import bp
from marketplace.listings.forms import ListingBrowseForm, ListingForm, listing_form_data
from marketplace.listings.imports import COLUMNS, import_listings
from marketplace.listings.links import product_path
from marketplace.listings.search import (
    ListingFilters,
    browse_listings,
    is_public,
    load_listing,
    producer_listings,
    visible_listing,
)
from marketplace.listings.services import (
    EDITABLE,
    check_listing,
    create_listing,
    input_from_listing,
    pause_listing,
    publish_listing,
    remove_listing,
    update_listing,
)
from marketplace.matches import direct
from marketplace.matches.forms import RequestForm
from marketplace.matches.hints import listing_hints
from marketplace.matches.ratings import reviews_of
from marketplace.matches.search import Holds, holds, live_matches
from marketplace.models import Listing, ListingStatus, Match, Rating
from marketplace.models.user import Role
from marketplace.trade.access import get_for_change
from marketplace.trade.browse import viewer_province
from marketplace.trade.forms import ImportForm
from marketplace.trade.imports import template_response
from marketplace.trade.scope import overseen_ids, oversees
from marketplace.web.forms import apply_field_errors, submit
from marketplace.web.labels import province_name

producer_required = role_required(Role.PRODUCER)


@bp.app_context_processor
def listing_links():
    # The trace page (below listings) links to the product page only while it is public.
    return {"product_path": product_path, "is_public_listing": is_public}


@bp.get("")
@login_required
def catalogue():
    form = ListingBrowseForm(formdata=request.args)
    parsed = form.validate()
    # Searched even when a value did not parse, so every bad filter is
    # reported at once; the results are only shown when all are good.
    try:
        results = browse_listings(ListingFilters(**form.common_filters()), local_today(),
                                  viewer_province=viewer_province(current_user), page=page_number())
    except InvalidInput as error:
        form.errors_by_field(error)
        results = None
    if not parsed:
        results = None
    return render_template("listings/catalogue.html", form=form, results=results, today=local_today()), \
        200 if results is not None else 400


@bp.get("/<int:listing_id>")
def detail(listing_id: int):
    if not current_user.is_authenticated:
        # A listing on sale has a public page: a shared link works for anyone.
        # Anything else asks for a sign-in, as a missing id does, so ids leak nothing.
        listing = load_listing(listing_id)
        if listing is not None and is_public(listing):
            return redirect(product_path(listing.id, listing.title))
        return current_app.login_manager.unauthorized()
    # Hidden listings look exactly like missing ones, so ids leak nothing.
    return _render_detail(visible_listing(me(), listing_id) or abort(404))


def _render_detail(listing, request_form=None, status: int = 200):
    mine = listing.producer_id == current_user.id
    overseen = mine or oversees(me(), listing)
    if request_form is None and current_user.role == Role.DISTRIBUTOR and listing.status == ListingStatus.ACTIVE:
        request_form = _request_form(listing)
    return render_template(
        "listings/detail.html", listing=listing, today=local_today(), mine=mine,
        hints=listing_hints(listing) if mine else [],
        holds=holds(Match.listing_id, [listing.id]).get(listing.id, Holds()) if overseen else None,
        held_by=live_matches(Match.listing_id, listing.id) if overseen else [], request_form=request_form,
        overseen=overseen,
        reviews=(reviews := reviews_of(listing.producer_id, limit=10)),
        hideable=overseen_ids(me(), Rating, [review.id for review, _title in reviews])), status


def _request_form(listing, form=None) -> RequestForm | None:
    """The distributor's request form, with its open orders the listing fits; None if none does."""
    orders = direct.orders_to_request(me(), listing)
    if not orders:
        return None
    form = form or RequestForm(prefix="request", data={
        "quantity": max(listing.min_order_quantity, min(orders[0].open_quantity, listing.available_quantity))})
    form.order_id.choices = [(order.id, order.title) for order in orders]
    return form


@bp.post("/<int:listing_id>/request")
@role_required(Role.DISTRIBUTOR)
def request_listing(listing_id: int):
    """A distributor asks for the listing against one of its open orders."""
    listing = visible_listing(me(), listing_id) or abort(404)
    form = _request_form(listing, RequestForm(prefix="request"))
    if form is None:
        abort(404)
    if form.validate_on_submit():
        try:
            match = direct.ask_for_listing(me(), listing.id, form.order_id.data, form.quantity.data)
        except InvalidInput as error:
            apply_field_errors(form, error.fields, error.message)
        except (WrongState, NotAllowed) as error:
            flash(getattr(error, "message", None) or str(error), "error")
            return redirect(url_for(".detail", listing_id=listing.id))
        else:
            flash(_("Your request is sent. It waits for the programme staff's review; you see it under My matches."),
                  "success")
            return redirect(url_for("matches.detail", match_id=match.id))
    # The service read the listing afresh, without its producer: load it as the page needs it.
    return _render_detail(visible_listing(me(), listing.id) or abort(404), request_form=form, status=400)


@bp.get("/mine")
@producer_required
def mine():
    return _render_mine()


def _render_mine(status: int = 200):
    results = producer_listings(me(), ListingFilters(), local_today(), page=page_number())
    return render_template("listings/mine.html", results=results,
                           holds_of=holds(Match.listing_id, [row.id for row in results.items])), status


def _refuse(message: str):
    """The listing's status forbids the action: say why on "my listings"."""
    flash(message, "error")
    return _render_mine(409)


@bp.route("/new", methods=["GET", "POST"])
@producer_required
def new():
    form = ListingForm()
    if request.method == "GET":
        form.unit.data = "kg"
        if current_user.profile:
            form.province.data = province_name(current_user.profile.province_code)
    else:
        publish = request.form.get("action", "publish") != "draft"
        if submit(form, lambda: create_listing(me(), form.to_input(), local_today(), publish=publish),
                  lambda: check_listing(form.to_input(), local_today())):
            flash(_("Your listing is on sale.") if publish else _("Your listing is saved as a draft."),
                  "success")
            return redirect(url_for(".mine"))
    return render_template("listings/form.html", form=form, listing=None), \
        400 if request.method == "POST" else 200


@bp.route("/<int:listing_id>/edit", methods=["GET", "POST"])
@producer_required
def edit(listing_id: int):
    listing = get_for_change(Listing, listing_id, me(), admin_too=False)
    if listing.status not in EDITABLE:
        return _refuse(_("A removed listing cannot be edited."))
    if request.method == "GET":
        form = ListingForm(data=listing_form_data(input_from_listing(listing)))
    else:
        form = ListingForm()
        try:
            saved = submit(form, lambda: update_listing(listing, form.to_input(), local_today()),
                           lambda: check_listing(form.to_input(), local_today(), listing.reserved_quantity))
        except WrongState as error:
            return _refuse(error.message)
        if saved:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".mine"))
    return render_template("listings/form.html", form=form, listing=listing), \
        400 if request.method == "POST" else 200


@bp.post("/<int:listing_id>/pause")
@producer_required
def pause(listing_id: int):
    listing = get_for_change(Listing, listing_id, me(), admin_too=False)
    try:
        pause_listing(listing)
    except WrongState as error:
        return _refuse(error.message)
    flash(_("“%(title)s” is paused: buyers no longer see it.", title=listing.title), "success")
    return redirect(url_for(".mine"))


@bp.post("/<int:listing_id>/publish")
@producer_required
def publish(listing_id: int):
    """Puts a draft on sale, or resumes a paused listing."""
    listing = get_for_change(Listing, listing_id, me(), admin_too=False)
    try:
        publish_listing(listing, local_today())
    except WrongState as error:
        return _refuse(error.message)
    flash(_("“%(title)s” is on sale.", title=listing.title), "success")
    return redirect(url_for(".mine"))


@bp.route("/<int:listing_id>/remove", methods=["GET", "POST"])
@login_required
def remove(listing_id: int):
    """A confirmation page, then the removal: works without JavaScript."""
    listing = get_for_change(Listing, listing_id, me())
    if listing.status == ListingStatus.REMOVED:
        return _refuse_removal(_("This listing is already removed."))
    if request.method == "GET":
        return render_template("listings/remove.html", listing=listing)
    try:
        remove_listing(listing, me())
    except NotAllowed:
        abort(403)
    except WrongState as error:
        return _refuse_removal(error.message)
    flash(_("“%(title)s” is removed.", title=listing.title), "success")
    return redirect(url_for(".mine" if current_user.role == Role.PRODUCER else ".catalogue"))


def _refuse_removal(message: str):
    if current_user.role == Role.PRODUCER:
        return _refuse(message)
    return render_template("errors/error.html", status=409, message=message), 409


@bp.route("/import", methods=["GET", "POST"])
@producer_required
def import_file():
    """A spreadsheet of listings: every row checked, all stored or none."""
    form, result, status = ImportForm(), None, 200
    if form.validate_on_submit():
        try:
            result = import_listings(me(), form.file.data, local_today(), dry_run=form.check_only.data)
        except InvalidInput as error:
            form.file.errors = [*form.file.errors, *(error.fields.values() or [error.message])]
        if result is not None and result.created:
            flash(ngettext("%(num)d listing is on sale, from your file.", "%(num)d listings are on sale, from your file.", result.created), "success")
            return redirect(url_for(".mine"))
        status = 200 if result is not None and result.ok else 400
    elif request.method == "POST":
        status = 400
    return render_template("listings/import.html", form=form, result=result,
                           labels={column.name: column.label for column in COLUMNS}), status


@bp.get("/import/template-<any(vi, en):language>.<any(xlsx, csv):extension>")
@producer_required
def import_template(language: str, extension: str):
    return template_response("listings-template", COLUMNS, language, extension)
