"""/api/v1/orders: the demand board, and a distributor's own orders."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with
from marketplace.api.patching import merged
from marketplace.api.schemas.base import page_of
from marketplace.api.schemas.orders import OrderInSchema, OrderPatchSchema, OrderQuerySchema, OrderSchema
from marketplace.core.clock import local_today
from marketplace.core.errors import ApiError
from marketplace.core.validation import NotAllowed
from marketplace.models import DemandOrder
from marketplace.orders.search import OrderFilters, browse_orders, distributor_orders, visible_order
from marketplace.orders.services import OrderInput, cancel_order, create_order, input_from_order, update_order
from marketplace.trade.browse import viewer_province

bp = api_blueprint("api_orders", __name__, "Demand orders: what distributors want, where and when.")
AMOUNTS = ("quantity", "max_unit_price")


def _found(order: DemandOrder | None) -> DemandOrder:
    if order is None:
        raise ApiError(404, "not_found", _("No such order."))
    return order


@bp.route("/orders", endpoint="orders")
class Orders(MethodView):
    @token_required
    @bp.arguments(OrderQuerySchema, location="query")
    @bp.response(200, page_of(OrderSchema))
    def get(self, args: dict):
        """The demand board, or your own orders

        Open orders of distributors in good standing, still needed. With
        `mine=1`, your own orders in every status.
        """
        user, page, per_page = current_user(), args.pop("page", None), args.pop("per_page", None)
        if args.pop("mine"):
            return distributor_orders(user, OrderFilters(**args), page=page, per_page=per_page)
        origin = viewer_province(user) if args["sort"] == "distance" else None
        return browse_orders(OrderFilters(**args), local_today(), viewer_province=origin,
                             page=page, per_page=per_page)

    @token_required
    @fails_with(403)
    @bp.arguments(OrderInSchema)
    @bp.response(201, OrderSchema)
    def post(self, data: dict):
        """Post a demand order (distributors)"""
        data["required_certifications"] = tuple(data.get("required_certifications", ()))
        order = create_order(current_user(), OrderInput(**data), local_today())
        return visible_order(current_user(), order.id)


@bp.route(f"/orders/<{ID}:order_id>", endpoint="order")
class OneOrder(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, OrderSchema)
    def get(self, order_id: int):
        """One order

        Others' orders are found only while they are open.
        """
        return _found(visible_order(current_user(), order_id))

    @token_required
    @fails_with(403, 404, 409)
    @bp.arguments(OrderPatchSchema(partial=True))
    @bp.response(200, OrderSchema)
    def patch(self, changes: dict, order_id: int):
        """Edit your order

        Send any subset of the fields. The status follows from the edit and
        the matches; DELETE cancels.
        """
        user = current_user()
        order = _found(visible_order(user, order_id))
        if order.distributor_id != user.id:
            raise NotAllowed(_("You can only edit your own orders."))
        if changes:
            update_order(order, merged(input_from_order(order), changes, AMOUNTS), local_today())
        return visible_order(user, order_id)

    @token_required
    @fails_with(403, 404, 409)
    @bp.response(204)
    def delete(self, order_id: int):
        """Cancel an order (its distributor, or an admin)

        The order is kept as history with the status `cancelled`.
        """
        user = current_user()
        cancel_order(_found(visible_order(user, order_id)), user)
