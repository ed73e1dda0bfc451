from datetime import date, timedelta

import pytest

from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.models import DemandOrder, OrderStatus
from marketplace.models.user import Role
from marketplace.orders.services import (
    OrderInput,
    cancel_order,
    create_order,
    expire_orders,
    input_from_order,
    update_order,
)

TODAY = date(2026, 11, 29)


def honey(**changes) -> OrderInput:
    values = dict(title="Cần mua mật ong bạc hà", category="food.honey", unit="l", quantity=500,
                  max_unit_price=400_000, delivery_province="Hà Nội", needed_by=TODAY + timedelta(days=30),
                  min_stars=3, required_certifications=("vietgap", "ocop"), allow_split=False)
    values.update(changes)
    return OrderInput(**values)


@pytest.fixture
def distributor(user_factory):
    return user_factory(role=Role.DISTRIBUTOR)


def test_distributor_posts_an_order(distributor):
    order = create_order(distributor, honey(unit="m3", quantity=2, max_unit_price=400_000_000), TODAY)
    assert (order.unit, order.quantity, order.max_unit_price) == ("l", 2000, 400_000)
    assert order.required_codes == ["ocop", "vietgap"]
    assert order.status is OrderStatus.OPEN and order.allow_split is False


@pytest.mark.parametrize("changes, field", [
    ({"quantity": 0}, "quantity"),
    ({"max_unit_price": -1}, "max_unit_price"),
    ({"needed_by": TODAY - timedelta(days=1)}, "needed_by"),
    ({"delivery_province": "Paris"}, "delivery_province"),
    ({"required_certifications": ("fairtrade",)}, "required_certifications"),
    ({"min_stars": 6}, "min_stars"),
    ({"category": ""}, "category"),
])
def test_bad_orders_are_refused(distributor, db, changes, field):
    with pytest.raises(InvalidInput) as error:
        create_order(distributor, honey(**changes), TODAY)
    assert field in error.value.fields
    assert db.session.query(DemandOrder).count() == 0


def test_producers_cannot_post_orders(user_factory):
    with pytest.raises(NotAllowed):
        create_order(user_factory(role=Role.PRODUCER), honey(), TODAY)


def test_edit_keeps_status_in_line_with_what_is_promised(distributor, db):
    order = create_order(distributor, honey(), TODAY)
    order.reserved_quantity = 200
    db.session.commit()
    data = input_from_order(order)
    update_order(order, OrderInput(**{**data.__dict__, "quantity": 200}), TODAY)
    assert order.status is OrderStatus.MATCHED
    update_order(order, OrderInput(**{**data.__dict__, "quantity": 800,
                                      "required_certifications": ("haccp",)}), TODAY)
    assert order.status is OrderStatus.PARTIALLY_MATCHED and order.required_codes == ["haccp"]
    with pytest.raises(InvalidInput):
        update_order(order, OrderInput(**{**data.__dict__, "quantity": 100}), TODAY)


def test_cancel_and_expire(distributor, user_factory):
    order = create_order(distributor, honey(), TODAY)
    with pytest.raises(NotAllowed):
        cancel_order(order, user_factory(role=Role.DISTRIBUTOR))
    cancel_order(order, distributor)
    with pytest.raises(WrongState):
        cancel_order(order, distributor)
    late = create_order(distributor, honey(needed_by=TODAY), TODAY)
    assert expire_orders(TODAY) == 0
    assert expire_orders(TODAY + timedelta(days=1)) == 1
    from marketplace.core.extensions import db
    db.session.expire_all()
    assert late.status is OrderStatus.EXPIRED and order.status is OrderStatus.CANCELLED
