"""/api/v1/matches: a party's matches and its answers to them."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, body_optional, fails_with
from marketplace.api.schemas.base import page_of
from marketplace.api.schemas.matches import MatchQuerySchema, MatchSchema, ReasonSchema, RequiredReasonSchema
from marketplace.core.errors import ApiError
from marketplace.matches import lifecycle
from marketplace.matches.search import party_matches, visible_match
from marketplace.models import Match

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


@bp.route(f"/matches/<{ID}:match_id>/fulfil", endpoint="fulfil")
class Fulfil(MethodView):
    @body_optional
    @token_required
    @fails_with(403, 404, 409)
    @bp.response(200, MatchSchema)
    def post(self, match_id: int):
        """Confirm receipt (the distributor of a confirmed match)"""
        return fresh(lifecycle.fulfil(found(match_id), current_user()))
