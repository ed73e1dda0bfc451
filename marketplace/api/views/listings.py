"""/api/v1/listings: the catalogue, and a producer's own listings."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with
from marketplace.api.patching import merged
from marketplace.api.schemas.base import page_of
from marketplace.api.schemas.listings import (
    ListingInSchema,
    ListingPatchSchema,
    ListingQuerySchema,
    ListingSchema,
)
from marketplace.core.clock import local_today
from marketplace.core.errors import ApiError
from marketplace.core.validation import InvalidInput, NotAllowed
from marketplace.listings.search import ListingFilters, browse_listings, producer_listings, visible_listing
from marketplace.listings.services import (
    ListingInput,
    create_listing,
    input_from_listing,
    pause_listing,
    publish_listing,
    remove_listing,
    update_listing,
)
from marketplace.models import Listing, ListingStatus
from marketplace.trade.browse import viewer_province

bp = api_blueprint("api_listings", __name__, "Listings: producers' stock for sale.")
AMOUNTS = ("quantity", "min_order_quantity", "unit_price")


def _found(listing: Listing | None) -> Listing:
    if listing is None:
        raise ApiError(404, "not_found", _("No such listing."))
    return listing


@bp.route("/listings", endpoint="listings")
class Listings(MethodView):
    @token_required
    @bp.arguments(ListingQuerySchema, location="query")
    @bp.response(200, page_of(ListingSchema))
    def get(self, args: dict):
        """The catalogue, or your own listings

        Active listings with stock left, of producers in good standing. With
        `mine=1`, your own listings in every status but removed.
        """
        user, page, per_page = current_user(), args.pop("page", None), args.pop("per_page", None)
        if args.pop("mine"):
            return producer_listings(user, ListingFilters(**args), local_today(), page=page, per_page=per_page)
        origin = viewer_province(user) if args["sort"] == "distance" else None
        return browse_listings(ListingFilters(**args), local_today(), viewer_province=origin,
                               page=page, per_page=per_page)

    @token_required
    @fails_with(403)
    @bp.arguments(ListingInSchema)
    @bp.response(201, ListingSchema)
    def post(self, data: dict):
        """List a product (producers)"""
        publish = data.pop("status", "active") == "active"
        data["certifications"] = tuple(data.get("certifications", ()))
        listing = create_listing(current_user(), ListingInput(**data), local_today(), publish=publish)
        return visible_listing(current_user(), listing.id)


@bp.route(f"/listings/<{ID}:listing_id>", endpoint="listing")
class OneListing(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, ListingSchema)
    def get(self, listing_id: int):
        """One listing

        Others' listings are found only while they are on sale.
        """
        return _found(visible_listing(current_user(), listing_id))

    @token_required
    @fails_with(403, 404, 409)
    @bp.arguments(ListingPatchSchema(partial=True))
    @bp.response(200, ListingSchema)
    def patch(self, changes: dict, listing_id: int):
        """Edit your listing, or pause / resume it

        Send any subset of the fields. `status` goes alone: `paused` takes it
        off sale, `active` puts a draft or paused listing on sale.
        """
        user = current_user()
        listing = _found(visible_listing(user, listing_id))
        if listing.producer_id != user.id:
            raise NotAllowed(_("You can only edit your own listings."))
        status = changes.pop("status", None)
        if status and changes:
            raise InvalidInput({"status": _("Change the status in a request of its own.")})
        today = local_today()
        if status and status != listing.status.value:
            if status == ListingStatus.ACTIVE.value:
                publish_listing(listing, today)
            else:
                pause_listing(listing)
        elif changes:
            update_listing(listing, merged(input_from_listing(listing), changes, AMOUNTS), today)
        return visible_listing(user, listing_id)

    @token_required
    @fails_with(403, 404, 409)
    @bp.response(204)
    def delete(self, listing_id: int):
        """Remove a listing (its producer, or an admin)

        A soft delete: the listing leaves the catalogue and is kept as history
        with the status `removed`.
        """
        user = current_user()
        remove_listing(_found(visible_listing(user, listing_id)), user)
