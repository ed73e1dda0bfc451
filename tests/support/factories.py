"""factory_boy factories, writing through the app's scoped session."""
import factory

from marketplace.auth.passwords import hash_password
from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.geo import fold
from marketplace.models import DemandOrder, Listing, ListingStatus, OrderStatus, Profile, User
from marketplace.models.user import ProfileKind, Role, UserStatus

DEFAULT_PASSWORD = "mat-ong-rung-2026"
_DEFAULT_HASH = hash_password(DEFAULT_PASSWORD)


class ProfileFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = Profile
        sqlalchemy_session_factory = lambda: db.session

    display_name = factory.Sequence(lambda n: f"HTX Đặc sản số {n}")
    kind = ProfileKind.COOPERATIVE
    province_code = "can-tho"
    phone = "0912345678"


class UserFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        model = User
        sqlalchemy_session_factory = lambda: db.session
        sqlalchemy_session_persistence = "commit"

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    password_hash = _DEFAULT_HASH
    role = Role.PRODUCER
    status = UserStatus.ACTIVE
    locale = "en"
    email_confirmed_at = factory.LazyFunction(utcnow)
    profile = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role != Role.ADMIN),
        yes_declaration=factory.SubFactory(ProfileFactory),
        no_declaration=None,
    )


class ListingFactory(factory.alchemy.SQLAlchemyModelFactory):
    """An active listing of ST25 rice in Cần Thơ; pass ``producer=``."""

    class Meta:
        model = Listing
        sqlalchemy_session_factory = lambda: db.session
        sqlalchemy_session_persistence = "commit"

    producer = factory.SubFactory(UserFactory, role=Role.PRODUCER)
    title = factory.Sequence(lambda n: f"Gạo ST25 Sóc Trăng lô {n}")
    description = "Gạo thơm, vụ mới."
    category = "food.rice"
    unit = "kg"
    quantity = 2000
    reserved_quantity = 0
    min_order_quantity = 100
    unit_price = 32000
    stars = 4
    province_code = "can-tho"
    status = ListingStatus.ACTIVE
    search_text = factory.LazyAttribute(lambda o: fold(f"{o.title} {o.description}"))


class OrderFactory(factory.alchemy.SQLAlchemyModelFactory):
    """An open order for rice delivered to Hồ Chí Minh City; pass ``distributor=``."""

    class Meta:
        model = DemandOrder
        sqlalchemy_session_factory = lambda: db.session
        sqlalchemy_session_persistence = "commit"

    distributor = factory.SubFactory(UserFactory, role=Role.DISTRIBUTOR)
    title = factory.Sequence(lambda n: f"Cần mua gạo ST25 đợt {n}")
    description = ""
    category = "food.rice"
    unit = "kg"
    quantity = 1000
    reserved_quantity = 0
    max_unit_price = 35000
    delivery_province_code = "ho-chi-minh"
    min_stars = 3
    allow_split = True
    status = OrderStatus.OPEN
    search_text = factory.LazyAttribute(lambda o: fold(o.title))
