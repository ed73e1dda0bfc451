"""factory_boy factories, writing through the app's scoped session."""
import factory

from marketplace.auth.passwords import hash_password
from marketplace.extensions import db
from marketplace.models import Profile, User
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
    profile = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role != Role.ADMIN),
        yes_declaration=factory.SubFactory(ProfileFactory),
        no_declaration=None,
    )
