"""Match pages of the two parties: their list, one match, and their answers.
Every action is a POST with its CSRF token; a match that moved meanwhile
(WrongState) or an action that is not this user's (NotAllowed) comes back as
a message on the match's page, never as an error page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.auth.permissions import current_account as me
from marketplace.auth.permissions import role_required
from marketplace.core.clock import local_today
from marketplace.core.pagination import requested_page as page_number
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import bp, lifecycle, offers, ratings
from marketplace.matches.contacts import contacts
from marketplace.matches.forms import (
    ActionForm,
    OfferForm,
    OptionalReasonForm,
    RatingForm,
    ReasonForm,
    ReceiptForm,
    ShipmentForm,
)
from marketplace.matches.reputation import reputation
from marketplace.matches.search import party_matches, visible_match
from marketplace.models import MatchStatus
from marketplace.models.match import CANCELLABLE
from marketplace.models.offer import MAX_ROUNDS
from marketplace.models.user import Role
from marketplace.trace.services import lots_of
from marketplace.web.formats import format_day
from marketplace.web.forms import apply_field_errors
from marketplace.web.phrases import record_in_words

party_required = role_required(Role.PRODUCER, Role.DISTRIBUTOR)


@bp.app_context_processor
def match_helpers():
    def track_record(user) -> str:
        return record_in_words(reputation(user.id, as_producer=user.role == Role.PRODUCER))
    return {"party_of": lifecycle.party_of, "track_record": track_record}


@bp.get("")
@party_required
def mine():
    results = party_matches(me(), page=page_number())
    return render_template("matches/list.html", results=results)


def _visible(match_id: int):
    # Another user's match looks exactly like a missing one.
    return visible_match(me(), match_id) or abort(404)


def _render_detail(match, status: int = 200, cancel_form=None, decline_form=None, offer_form=None,
                   ship_form=None, receipt_form=None, rating_form=None):
    party = lifecycle.party_of(match, me())
    answered = party and getattr(match, f"{party}_accepted_at") is not None
    rounds = offers.offers_of(match)
    pending = next((o for o in rounds if o.is_open), None)
    return render_template(
        "matches/detail.html", match=match, party=party, rounds=rounds, pending=pending,
        contact=contacts(match, me()),
        can_offer=bool(party) and match.status == MatchStatus.APPROVED and len(rounds) < MAX_ROUNDS
        and not (pending and pending.by_party == party),
        offer_form=offer_form or OfferForm(prefix="offer", data=_current_terms(match)),
        can_answer=bool(party) and match.status == MatchStatus.APPROVED and not answered,
        can_fulfil=party == "distributor" and match.status in (MatchStatus.CONFIRMED, MatchStatus.SHIPPED),
        can_ship=party == "producer" and match.status in (MatchStatus.CONFIRMED, MatchStatus.SHIPPED)
        and match.shipped_quantity < match.quantity,
        can_cancel=(bool(party) or current_user.role == Role.ADMIN) and match.status in CANCELLABLE,
        shipments=lifecycle.shipments_of(match),
        can_rate=ratings.may_rate(match, me()), my_rating=ratings.rating_by(match, me()) if party else None,
        ship_form=_with_lots(ship_form or ShipmentForm(prefix="ship", data={
            "quantity": match.quantity - match.shipped_quantity, "shipped_on": local_today()}), match, party),
        receipt_form=receipt_form or ReceiptForm(prefix="receipt", data={
            "received_quantity": match.shipped_quantity or match.quantity}),
        rating_form=rating_form or RatingForm(prefix="rating"),
        action_form=ActionForm(), cancel_form=cancel_form or ReasonForm(prefix="cancel"),
        decline_form=decline_form or OptionalReasonForm(prefix="decline")), status


def _with_lots(form: ShipmentForm, match, party) -> ShipmentForm:
    """The listing's lots to tick, for its producer."""
    if party == "producer":
        form.lots.choices = [(lot.id, f"{lot.code} · {format_day(lot.produced_on)}")
                             for lot in lots_of(match.listing)]
    return form


def _current_terms(match) -> dict:
    return {"quantity": match.quantity, "unit_price": match.unit_price,
            "deliver_by": match.deliver_by or match.order.needed_by}


@bp.get("/<int:match_id>")
@login_required
def detail(match_id: int):
    return _render_detail(_visible(match_id))


def _act(match_id: int, form, action, done: str, form_slot: str | None = None):
    """Runs ``action(match, reason)`` for a valid form; refusals become messages."""
    match = _visible(match_id)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("The form expired or came from another site. Reload the page and try again."), "error")
        elif form.errors and form_slot:
            return _render_detail(match, 400, **{form_slot: form})
        return redirect(url_for(".detail", match_id=match.id))
    reason = getattr(getattr(form, "reason", None), "data", None)
    try:
        action(match, reason)
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return _render_detail(match, 400, **({form_slot: form} if form_slot else {}))
    except (WrongState, NotAllowed) as error:
        flash(getattr(error, "message", None) or str(error), "error")
        return redirect(url_for(".detail", match_id=match.id))
    flash(done(match) if callable(done) else done, "success")
    return redirect(url_for(".detail", match_id=match.id))


@bp.post("/<int:match_id>/accept")
@login_required
def accept(match_id: int):
    return _act(match_id, ActionForm(), lambda m, _r: lifecycle.accept(m, me()),
                lambda m: _("Both sides accepted: the match is confirmed.") if m.status == MatchStatus.CONFIRMED
                else _("You accepted this match. It is confirmed once the other side accepts too."))


@bp.post("/<int:match_id>/decline")
@login_required
def decline(match_id: int):
    return _act(match_id, OptionalReasonForm(prefix="decline"), lambda m, r: lifecycle.decline(m, me(), r),
                _("You declined this match; its quantity is free again."), "decline_form")


@bp.post("/<int:match_id>/cancel")
@login_required
def cancel(match_id: int):
    return _act(match_id, ReasonForm(prefix="cancel"), lambda m, r: lifecycle.cancel(m, me(), r),
                _("The match is cancelled."), "cancel_form")


@bp.post("/<int:match_id>/ship")
@login_required
def ship(match_id: int):
    form = ShipmentForm(prefix="ship")

    def run(match, _reason):
        lifecycle.ship(match, me(), lifecycle.ShipmentInput(form.quantity.data, form.shipped_on.data,
                                                            form.carrier.data, form.tracking.data,
                                                            tuple(form.lots.data or ())))
    return _act(match_id, form, run, _("The shipment is recorded; the buyer is told."), "ship_form")


@bp.post("/<int:match_id>/fulfil")
@login_required
def fulfil(match_id: int):
    form = ReceiptForm(prefix="receipt")
    return _act(match_id, form, lambda m, _r: lifecycle.fulfil(m, me(), form.received_quantity.data),
                _("Thank you: the delivery is recorded."), "receipt_form")


@bp.post("/<int:match_id>/rating")
@login_required
def rate(match_id: int):
    form = RatingForm(prefix="rating")
    return _act(match_id, form, lambda m, _r: ratings.rate(m, me(), form.stars.data, form.comment.data),
                _("Thank you for your rating."), "rating_form")


@bp.post("/<int:match_id>/offers")
@login_required
def make_offer(match_id: int):
    def run(match, _reason):
        data = form.data
        offers.make_offer(match, me(), offers.OfferTerms(data["quantity"], data["unit_price"], data["deliver_by"],
                                                         data["note"]))
    form = OfferForm(prefix="offer")
    return _act(match_id, form, run, _("Your terms are sent. The other party accepts, declines or answers."),
                "offer_form")


@bp.post("/<int:match_id>/offers/<int:offer_id>/accept")
@login_required
def accept_offer(match_id: int, offer_id: int):
    return _act(match_id, ActionForm(), lambda m, _r: offers.accept_offer(m, _offer(m, offer_id), me()),
                _("You accepted the new terms. The match is confirmed once the other side accepts it too."))


@bp.post("/<int:match_id>/offers/<int:offer_id>/decline")
@login_required
def decline_offer(match_id: int, offer_id: int):
    return _act(match_id, ActionForm(), lambda m, _r: offers.decline_offer(m, _offer(m, offer_id), me()),
                _("You declined the new terms; the match keeps its terms."))


def _offer(match, offer_id: int):
    return offers.offer_on(match, offer_id) or abort(404)
