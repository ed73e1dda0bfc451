"""/api/v1/matches: a party's matches and its answers to them."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, body_optional, fails_with
from marketplace.api.schemas.base import page_of
from marketplace.api.schemas.matches import (
    MatchQuerySchema,
    MatchSchema,
    RatingInSchema,
    RatingSchema,
    ReasonSchema,
    ReceiptSchema,
    ReputationSchema,
    RequiredReasonSchema,
    ShipmentInSchema,
    ShipmentSchema,
)
from marketplace.core.errors import ApiError
from marketplace.core.extensions import db
from marketplace.matches import lifecycle, ratings
from marketplace.matches.reputation import reputation
from marketplace.matches.search import party_matches, visible_match
from marketplace.models import Match, User
from marketplace.models.user import Role

bp = api_blueprint("api_matches", __name__,
                   "Matches: deals proposed between a listing and an order, and each party's answer.")


def found(match_id: int) -> Match:
    match = visible_match(current_user(), match_id)
    if match is None:
        raise ApiError(404, "not_found", _("No such match."))
    return match


def fresh(match: Match) -> Match:
    """The match as it is now, with what the schema shows loaded."""
    return visible_match(current_user(), match.id) or match


@bp.route("/matches", endpoint="matches")
class Matches(MethodView):
    @token_required
    @bp.arguments(MatchQuerySchema, location="query")
    @bp.response(200, page_of(MatchSchema))
    def get(self, args: dict):
        """Your matches

        A producer's or distributor's matches, newest first, in every state:
        proposals still waiting for moderation (`status: proposed`) are listed
        too, read-only, so every hold on your stock is explained.
        """
        return party_matches(current_user(), args.get("status"), page=args.get("page"),
                             per_page=args.get("per_page"))


@bp.route(f"/matches/<{ID}:match_id>", endpoint="match")
class OneMatch(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, MatchSchema)
    def get(self, match_id: int):
        """One match (its parties, or an admin)"""
        return found(match_id)


@bp.route(f"/matches/<{ID}:match_id>/accept", endpoint="accept")
class Accept(MethodView):
    @body_optional
    @token_required
    @fails_with(403, 404, 409)
    @bp.response(200, MatchSchema)
    def post(self, match_id: int):
        """Accept a match

        When both parties have accepted, the match is confirmed. Accepting
        twice changes nothing.
        """
        return fresh(lifecycle.accept(found(match_id), current_user()))


@bp.route(f"/matches/<{ID}:match_id>/decline", endpoint="decline")
class Decline(MethodView):
    @body_optional
    @token_required
    @fails_with(403, 404, 409)
    @bp.arguments(ReasonSchema, required=False)
    @bp.response(200, MatchSchema)
    def post(self, data: dict, match_id: int):
        """Decline a match (optional reason)

        The reserved quantity goes back to the listing and the order.
        """
        return fresh(lifecycle.decline(found(match_id), current_user(), (data or {}).get("reason")))


@bp.route(f"/matches/<{ID}:match_id>/cancel", endpoint="cancel")
class Cancel(MethodView):
    @token_required
    @fails_with(403, 404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, MatchSchema)
    def post(self, data: dict, match_id: int):
        """Call a deal off before delivery (a party or an admin; reason required)"""
        return fresh(lifecycle.cancel(found(match_id), current_user(), data["reason"]))


@bp.route(f"/matches/<{ID}:match_id>/shipments", endpoint="shipments")
class Shipments(MethodView):
    @token_required
    @fails_with(403, 404, 409, 422)
    @bp.arguments(ShipmentInSchema)
    @bp.response(201, ShipmentSchema)
    def post(self, data: dict, match_id: int):
        """Record a shipment (the producer of a confirmed match)

        Part or all of what is left to ship; several shipments may make up a
        match. The match becomes `shipped` and can no longer be cancelled.
        """
        return lifecycle.ship(found(match_id), current_user(), lifecycle.ShipmentInput(
            data["quantity"], data["shipped_on"], data.get("carrier"), data.get("tracking"),
            tuple(data.get("lots") or ())))


@bp.route(f"/matches/<{ID}:match_id>/fulfil", endpoint="fulfil")
class Fulfil(MethodView):
    @body_optional
    @token_required
    @fails_with(403, 404, 409, 422)
    @bp.arguments(ReceiptSchema, required=False)
    @bp.response(200, MatchSchema)
    def post(self, data: dict, match_id: int):
        """Confirm receipt (the distributor of a confirmed or shipped match)

        `received_quantity` defaults to all that was shipped (or the whole
        match). Less than the match fulfils it for what arrived: that much is
        sold and delivered, and the rest goes back to the listing and the order.
        """
        received = (data or {}).get("received_quantity")
        return fresh(lifecycle.fulfil(found(match_id), current_user(), received))


@bp.route(f"/matches/<{ID}:match_id>/rating", endpoint="rating")
class Rate(MethodView):
    @token_required
    @fails_with(403, 404, 409, 422)
    @bp.arguments(RatingInSchema)
    @bp.response(201, RatingSchema)
    def post(self, data: dict, match_id: int):
        """Rate the other party of a fulfilled match (once; changeable for 24 hours)"""
        return ratings.rate(found(match_id), current_user(), data["stars"], data.get("comment"))


@bp.route(f"/users/<{ID}:user_id>/reputation", endpoint="reputation")
class UserReputation(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, ReputationSchema)
    def get(self, user_id: int):
        """A producer's or distributor's track record (any signed-in user)"""
        user = db.session.get(User, user_id)
        if user is None or user.role == Role.ADMIN:
            raise ApiError(404, "not_found", _("No such producer or distributor."))
        return reputation(user.id, as_producer=user.role == Role.PRODUCER)
