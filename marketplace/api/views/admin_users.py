"""/api/v1/admin/users: search, verify, suspend and reinstate accounts; takedowns of listings, orders and reviews."""
from __future__ import annotations

from dataclasses import replace

from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _

from marketplace import geo
from marketplace.admin.accounts.services import (
    AccountDetail,
    UserFilters,
    account_detail,
    find_user,
    reinstate_user,
    search_users,
    suspend_user,
    verify_producer,
)
from marketplace.admin.accounts.takedown import take_down_listing, take_down_order
from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with
from marketplace.api.schemas.admin_users import (
    AdminScopeSchema,
    AdminUserDetailSchema,
    AdminUserQuerySchema,
    AdminUserSchema,
    SuspensionSchema,
    VerifyInSchema,
)
from marketplace.api.schemas.base import page_of
from marketplace.api.schemas.listings import ListingSchema
from marketplace.api.schemas.matches import HiddenRatingSchema, RequiredReasonSchema
from marketplace.api.schemas.orders import OrderSchema
from marketplace.api.views.admin import admin_only
from marketplace.core.errors import ApiError
from marketplace.core.extensions import db
from marketplace.listings.search import visible_listing
from marketplace.matches.ratings import hide_rating
from marketplace.models import Rating, User
from marketplace.orders.search import visible_order
from marketplace.trade.scope import oversees, provinces_of

bp = api_blueprint("api_admin_users", __name__, "Accounts and takedowns (admins only).")


def summary(user: User) -> dict:
    profile = user.profile
    return {
        "id": user.id, "email": user.email, "role": user.role, "status": user.status,
        "display_name": user.display_name, "kind": profile.kind.value if profile else None,
        "province": profile.province_code if profile else None, "phone": profile.phone if profile else None,
        "ocop_certificate_no": profile.ocop_certificate_no if profile else None,
        "verified": bool(profile and profile.verified_at),
        "verified_at": profile.verified_at if profile else None,
        "verified_by_id": profile.verified_by_id if profile else None,
        "verified_certificate_no": profile.verified_certificate_no if profile else None,
        "suspended_reason": user.suspended_reason, "suspended_at": user.suspended_at,
        "created_at": user.created_at,
    }


def _owned(row) -> dict:
    return {"id": row.id, "title": row.title, "status": row.status.value, "takedown_reason": row.takedown_reason,
            "taken_down_at": row.taken_down_at}


def detail_of(detail: AccountDetail) -> dict:
    verifier = detail.verified_by
    return {**summary(detail.user),
            "verified_by": {"id": verifier.id, "email": verifier.email, "display_name": verifier.display_name}
            if verifier else None,
            "match_counts": detail.match_counts, "open_matches": detail.open_matches,
            "listings": [_owned(row) for row in detail.listings], "listing_total": detail.listing_total,
            "orders": [_owned(row) for row in detail.orders], "order_total": detail.order_total}


def found_user(user_id: int) -> User:
    user = find_user(user_id, current_user())
    if user is None:
        raise ApiError(404, "not_found", _("No such user."))
    return user


@bp.route("/admin/scope", methods=["GET"], endpoint="scope")
@token_required
@admin_only
@bp.response(200, AdminScopeSchema)
def my_scope():
    """The provinces you oversee

    Set with `flask admin-scope`; an admin limited to no province oversees the
    whole country. Lists, exports and record pages show only what lies in them."""
    codes = set(provinces_of(current_user()))
    locale = str(get_locale() or "vi")
    return {"whole_country": not codes,
            "provinces": [province for province in geo.as_dicts(locale) if province["code"] in codes]}


@bp.route("/admin/users", endpoint="users")
class Users(MethodView):
    @token_required
    @admin_only
    @bp.arguments(AdminUserQuerySchema, location="query")
    @bp.response(200, page_of(AdminUserSchema))
    def get(self, args: dict):
        """Accounts, newest first

        `q` finds part of the e-mail, display name, phone or OCOP certificate
        number; `unverified=true` keeps producers not verified yet."""
        page = search_users(UserFilters(q=args.get("q") or "", role=args.get("role"), status=args.get("status"),
                                        unverified=args["unverified"]),
                            page=args.get("page"), per_page=args.get("per_page"), viewer=current_user())
        return replace(page, items=[summary(user) for user in page.items])


@bp.route(f"/admin/users/<{ID}:user_id>", endpoint="user")
class OneUser(MethodView):
    @token_required
    @admin_only
    @fails_with(404)
    @bp.response(200, AdminUserDetailSchema)
    def get(self, user_id: int):
        """One account: profile, verification, suspension, listings, orders and match counts"""
        detail = account_detail(user_id, current_user())
        if detail is None:
            raise ApiError(404, "not_found", _("No such user."))
        return detail_of(detail)


@bp.route(f"/admin/users/<{ID}:user_id>/verify", endpoint="verify")
class Verify(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(VerifyInSchema)
    @bp.response(200, AdminUserDetailSchema)
    def post(self, data: dict, user_id: int):
        """Verify a producer

        `certificate_no` is the OCOP certificate number the admin checked; it
        must be the one the producer gave (422 otherwise). Verifying again is
        a 409. Who checked which number, and when, is recorded."""
        user = verify_producer(found_user(user_id), current_user(), data["certificate_no"])
        return detail_of(account_detail(user.id))


@bp.route(f"/admin/users/<{ID}:user_id>/suspend", endpoint="suspend")
class Suspend(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, SuspensionSchema)
    def post(self, data: dict, user_id: int):
        """Suspend an account (reason required)

        In one transaction: its open matches are cancelled and their stock
        released, it is logged out of every browser, its API tokens are
        revoked, and its listings and orders disappear from every list.
        Admins (and oneself) cannot be suspended: 403."""
        user = found_user(user_id)
        cancelled = suspend_user(user, current_user(), data["reason"])
        return {"user": summary(find_user(user_id)), "cancelled_matches": cancelled}


@bp.route(f"/admin/users/<{ID}:user_id>/reinstate", endpoint="reinstate")
class Reinstate(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, AdminUserSchema)
    def post(self, data: dict, user_id: int):
        """Reinstate a suspended account (reason required)

        Its listings and orders show again; its old API tokens stay revoked."""
        user = reinstate_user(found_user(user_id), current_user(), data["reason"])
        return summary(find_user(user.id))


@bp.route(f"/admin/listings/<{ID}:listing_id>/takedown", endpoint="take_down_listing")
class ListingTakedown(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, ListingSchema)
    def post(self, data: dict, listing_id: int):
        """Take a listing down (reason required)

        It is removed for good, its live matches are cancelled, and its
        producer sees the reason. An already removed listing is a 409."""
        listing = visible_listing(current_user(), listing_id)
        if listing is None or not oversees(current_user(), listing):
            raise ApiError(404, "not_found", _("No such listing."))
        take_down_listing(listing, current_user(), data["reason"])
        return visible_listing(current_user(), listing_id)


@bp.route(f"/admin/orders/<{ID}:order_id>/takedown", endpoint="take_down_order")
class OrderTakedown(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, OrderSchema)
    def post(self, data: dict, order_id: int):
        """Take a demand order down (reason required)

        It is cancelled for good, its live matches are cancelled, and its
        distributor sees the reason. A closed order is a 409."""
        order = visible_order(current_user(), order_id)
        if order is None or not oversees(current_user(), order):
            raise ApiError(404, "not_found", _("No such order."))
        take_down_order(order, current_user(), data["reason"])
        return visible_order(current_user(), order_id)


@bp.route(f"/admin/ratings/<{ID}:rating_id>/hide", endpoint="hide_rating")
class RatingTakedown(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, HiddenRatingSchema)
    def post(self, data: dict, rating_id: int):
        """Hide an abusive review (reason required)

        It no longer shows nor counts in the reputation; its author is told
        the reason. An already hidden review is a 409."""
        rating = db.session.get(Rating, rating_id)
        if rating is None or not oversees(current_user(), rating):
            raise ApiError(404, "not_found", _("No such review."))
        return hide_rating(rating, current_user(), data["reason"])
