import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.database import enum_column as _enum
from marketplace.core.extensions import db
from marketplace.geo.lookup import fold


class Role(str, enum.Enum):
    PRODUCER = "producer"
    DISTRIBUTOR = "distributor"
    ADMIN = "admin"


class UserStatus(str, enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class ProfileKind(str, enum.Enum):
    COOPERATIVE = "cooperative"
    ENTERPRISE = "enterprise"
    HOUSEHOLD = "household"
    COMPANY = "company"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored lower-cased, so uniqueness ignores letter case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    status: Mapped[UserStatus] = mapped_column(_enum(UserStatus, "user_status"), default=UserStatus.ACTIVE)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    # Part of get_id(): rotating it invalidates every session and remember
    # cookie issued before (logout, password change, suspension).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    suspended_reason: Mapped[str | None] = mapped_column(String(500))
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None until the owner opened the link e-mailed at sign-up (accounts from before 0012 are confirmed).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profile: Mapped["Profile | None"] = relationship(back_populates="user", uselist=False,
                                                     foreign_keys="Profile.user_id")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    @property
    def display_name(self) -> str:
        return self.profile.display_name if self.profile else self.email

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class Profile(db.Model):
    """A producer's or distributor's public face. Admins have none."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # The name without case or diacritics, so admins find "HTX Cà phê" by typing "ca phe".
    search_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    kind: Mapped[ProfileKind] = mapped_column(_enum(ProfileKind, "profile_kind"))
    province_code: Mapped[str] = mapped_column(String(40))
    phone: Mapped[str] = mapped_column(String(20))
    # Shown to the other party of a confirmed match only.
    address: Mapped[str | None] = mapped_column(String(300))
    tax_code: Mapped[str | None] = mapped_column(String(20))      # distributors' invoices
    # Producers only.
    ocop_certificate_no: Mapped[str | None] = mapped_column(String(60))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who checked which certificate: a later change of number is not verified by this.
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_certificate_no: Mapped[str | None] = mapped_column(String(60))
    # The scan of the certificate the producer sent (a file under DOCUMENTS_ROOT named by
    # its content hash): shown to its owner and the programme staff only.
    certificate_scan: Mapped[str | None] = mapped_column(String(80))
    certificate_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="profile", foreign_keys=[user_id])

    @validates("display_name")
    def _fold_display_name(self, _key, value):
        self.search_name = fold(value or "")[:120]
        return value

    @validates("ocop_certificate_no")
    def _lapse_verification_of_another_number(self, _key, value):
        """Whichever code path changes a stored profile's number, a check of
        the old number says nothing about the new one."""
        if inspect(self).persistent and self.verified_at is not None and not same_certificate(
                value, self.verified_certificate_no or self.ocop_certificate_no):
            self.verified_at = self.verified_by_id = self.verified_certificate_no = None
        return value


def same_certificate(a: str | None, b: str | None) -> bool:
    """Certificate numbers compared as a person reads them: case and surrounding spaces do not count."""
    return (a or "").strip().casefold() == (b or "").strip().casefold()


class AdminProvince(db.Model):
    """One province an admin account is limited to. An admin with no row
    here oversees the whole country (every admin before 0015), so scoping is
    opt-in and nothing changes for existing staff."""

    __tablename__ = "admin_provinces"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(40), primary_key=True)
