"""Bargaining through the API: counter-offers on a match, and direct
offers on an order (producers) or a listing (distributors)."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, body_optional, fails_with
from marketplace.api.schemas.matches import MatchSchema
from marketplace.api.schemas.offers import OfferInSchema, OfferSchema, RequestInSchema, SupplyOfferInSchema
from marketplace.api.views.matches import found, fresh
from marketplace.core.errors import ApiError
from marketplace.listings.search import visible_listing
from marketplace.matches import direct, offers
from marketplace.matches.offers import OfferTerms
from marketplace.models import Offer
from marketplace.orders.search import visible_order

bp = api_blueprint("api_offers", __name__,
                   "Bargaining: counter-offers on an approved match, and direct offers on orders and listings.")


def _offer(match, offer_id: int) -> Offer:
    offer = offers.offer_on(match, offer_id)
    if offer is None:
        raise ApiError(404, "not_found", _("No such offer."))
    return offer


@bp.route(f"/matches/<{ID}:match_id>/offers", endpoint="offers")
class MatchOffers(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, OfferSchema(many=True))
    def get(self, match_id: int):
        """Every round of offers on a match, oldest first"""
        return offers.offers_of(found(match_id))

    @token_required
    @fails_with(403, 404, 409, 422)
    @bp.arguments(OfferInSchema)
    @bp.response(201, OfferSchema)
    def post(self, data: dict, match_id: int):
        """Propose new terms (a party of an approved match)

        If the other party's offer is open, this one counters it. At most one
        open offer per match and 6 rounds; 409 when the match is not approved,
        when your own offer still waits, or when the listing or the order has
        not that much left.
        """
        terms = OfferTerms(data["quantity"], data["unit_price"], data.get("deliver_by"), data.get("note"))
        return offers.make_offer(found(match_id), current_user(), terms)


@bp.route(f"/matches/<{ID}:match_id>/offers/<{ID}:offer_id>/accept", endpoint="accept_offer")
class AcceptOffer(MethodView):
    @body_optional
    @token_required
    @fails_with(403, 404, 409)
    @bp.response(200, MatchSchema)
    def post(self, match_id: int, offer_id: int):
        """Accept the other party's offer

        Its terms become the match's; more stock is held or the difference
        released. Your acceptance of the match stands and the other party's is
        cleared: the match is confirmed when they accept it too.
        """
        match = found(match_id)
        return fresh(offers.accept_offer(match, _offer(match, offer_id), current_user()))


@bp.route(f"/matches/<{ID}:match_id>/offers/<{ID}:offer_id>/decline", endpoint="decline_offer")
class DeclineOffer(MethodView):
    @body_optional
    @token_required
    @fails_with(403, 404, 409)
    @bp.response(200, OfferSchema)
    def post(self, match_id: int, offer_id: int):
        """Decline the other party's offer (the match keeps its terms)"""
        match = found(match_id)
        return offers.decline_offer(match, _offer(match, offer_id), current_user())


@bp.route(f"/orders/<{ID}:order_id>/offers", endpoint="supply_offer")
class SupplyOffer(MethodView):
    @token_required
    @fails_with(403, 404, 409, 422)
    @bp.arguments(SupplyOfferInSchema)
    @bp.response(201, MatchSchema)
    def post(self, data: dict, order_id: int):
        """Offer to supply an open order (producers)

        Creates a match with `source: "offer"` that holds the quantity and
        waits for moderation (or the auto-approval policy) like a run's proposal.
        """
        if visible_order(current_user(), order_id) is None:
            raise ApiError(404, "not_found", _("No such order."))
        return fresh(direct.offer_to_supply(current_user(), order_id, data["listing_id"], data["quantity"],
                                            data["unit_price"], data.get("note")))


@bp.route(f"/listings/<{ID}:listing_id>/requests", endpoint="listing_request")
class ListingRequest(MethodView):
    @token_required
    @fails_with(403, 404, 409, 422)
    @bp.arguments(RequestInSchema)
    @bp.response(201, MatchSchema)
    def post(self, data: dict, listing_id: int):
        """Ask for a listing against one of your open orders (distributors)

        At the listing's price; creates a match with `source: "offer"` that
        holds the quantity and waits for moderation like a run's proposal.
        """
        if visible_listing(current_user(), listing_id) is None:
            raise ApiError(404, "not_found", _("No such listing."))
        return fresh(direct.ask_for_listing(current_user(), listing_id, data["order_id"], data["quantity"]))
