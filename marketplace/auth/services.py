"""Account use cases. Each owns its transaction and commits once."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.auth import throttle
from marketplace.auth.passwords import hash_password, needs_rehash, verify_password
from marketplace.auth.recovery import CONFIRM_EVENT, SIGNUP_ATTEMPT_EVENT
from marketplace.auth.tokens import revoke_all_tokens
from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.models import Profile, User
from marketplace.models.user import ProfileKind, Role, UserStatus


class AccountError(Exception):
    """A use case refused its input; ``fields`` maps a field to its message."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class AccountSuspended(AccountError):
    """The right password for a suspended account."""


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    role: Role
    display_name: str
    kind: ProfileKind
    province_code: str
    phone: str
    ocop_certificate_no: str | None = None
    locale: str = "vi"


def _email_taken() -> AccountError:
    message = _("An account with this e-mail already exists.")
    return AccountError(message, {"email": message})


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def sign_up(reg: Registration) -> None:
    """The sign-up form: the same outcome whether or not the e-mail has an
    account. A new account gets the confirmation e-mail; the owner of an
    existing one is told that someone tried (and how to get in)."""
    try:
        register_user(reg)
    except AccountError as error:
        if "email" not in error.fields or error.message != _email_taken().message:
            raise
        hash_password(reg.password)     # as long as a real sign-up takes
        owner = find_user_by_email(reg.email)
        if owner is not None and owner.status == UserStatus.ACTIVE:
            emit_event(SIGNUP_ATTEMPT_EVENT, target_type="user", target_id=owner.id, actor=None)
            db.session.commit()


def register_user(reg: Registration, confirm_by_email: bool = True) -> User:
    """Create a producer or distributor with its profile. Admins are made only
    from the command line (``create_admin``). The e-mail is unconfirmed until
    the owner opens the link e-mailed now (``confirm_by_email``; the demo's
    accounts are confirmed at once)."""
    if reg.role not in (Role.PRODUCER, Role.DISTRIBUTOR):
        message = _("Only producers and distributors can register.")
        raise AccountError(message, {"role": message})
    email = normalise_email(reg.email)
    if find_user_by_email(email) is not None:
        raise _email_taken()
    user = User(email=email, password_hash=hash_password(reg.password), role=reg.role,
                status=UserStatus.ACTIVE, locale=reg.locale)
    user.profile = Profile(
        display_name=reg.display_name.strip(), kind=reg.kind, province_code=reg.province_code,
        phone=reg.phone,
        ocop_certificate_no=(reg.ocop_certificate_no or None) if reg.role == Role.PRODUCER else None,
    )
    if not confirm_by_email:
        user.email_confirmed_at = utcnow()
    db.session.add(user)
    try:
        db.session.flush([user])
        if confirm_by_email:
            emit_event(CONFIRM_EVENT, target_type="user", target_id=user.id, actor=user)
        db.session.commit()
    except IntegrityError:
        # Two sign-ups with the same e-mail at once: the unique index decides.
        db.session.rollback()
        raise _email_taken() from None
    return user


def authenticate(email: str, password: str) -> User:
    """The user behind these credentials, or AccountError. Suspended users
    are refused even with the right password."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        raise AccountError(_("Wrong e-mail or password."))
    if user.status == UserStatus.SUSPENDED:
        raise AccountSuspended(_("This account is suspended. Contact the programme staff of your province."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def sign_in(email: str, password: str) -> User:
    """``authenticate`` behind the shared login throttle (the form and the API
    both come here): raises ``throttle.LoginThrottled`` while this client must
    wait, and counts a wrong password against this account from this client only."""
    account = normalise_email(email)
    throttle.check(account)
    try:
        user = authenticate(account, password)
    except AccountSuspended:
        raise
    except AccountError:
        throttle.failed(account)
        raise
    throttle.succeeded(account)
    return user


def end_all_sessions(user: User) -> None:
    """Logging out signs out every device: old session and remember cookies
    carry the previous token and no longer load a user."""
    user.rotate_session_token()
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        message = _("The current password is wrong.")
        raise AccountError(message, {"current_password": message})
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    # Whoever knew the old password may have taken a token with it.
    revoke_all_tokens(user)
    db.session.commit()


def create_admin(email: str, password: str) -> User:
    """Create an admin, or reset the password of an existing admin."""
    email = normalise_email(email)
    user = find_user_by_email(email)
    if user is not None and user.role != Role.ADMIN:
        raise AccountError(_("This e-mail belongs to a producer or distributor."))
    if user is None:
        user = User(email=email, role=Role.ADMIN, status=UserStatus.ACTIVE, locale="vi",
                    password_hash=hash_password(password), email_confirmed_at=utcnow())
        db.session.add(user)
    else:
        user.password_hash = hash_password(password)
        user.rotate_session_token()
        revoke_all_tokens(user)
    db.session.commit()
    return user


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id)))


@dataclass(frozen=True)
class ProfileChange:
    display_name: str
    province_code: str
    phone: str
    address: str | None
    tax_code: str | None = None
    ocop_certificate_no: str | None = None      # producers; a new number lapses a verification


PROFILE_FIELDS = ("display_name", "province_code", "phone", "address", "tax_code", "ocop_certificate_no")


def apply_profile_change(user: User, change: ProfileChange) -> list[str]:
    """The business's details changed in the session (the caller commits):
    the names of the fields that changed. The other party of a confirmed
    match sees phone, address and tax code. A producer's new certificate
    number lapses its verification (Profile's validator): staff check it again."""
    profile = user.profile
    if profile is None:
        raise AccountError(_("Admin accounts have no business profile."))
    values = {"display_name": change.display_name.strip(), "province_code": change.province_code,
              "phone": change.phone, "address": (change.address or "").strip() or None}
    if user.role == Role.DISTRIBUTOR:
        values["tax_code"] = (change.tax_code or "").strip() or None
    if user.role == Role.PRODUCER:
        values["ocop_certificate_no"] = (change.ocop_certificate_no or "").strip() or None
    changed = [name for name in PROFILE_FIELDS if name in values and getattr(profile, name) != values[name]]
    for name in changed:
        setattr(profile, name, values[name])
    return changed


def update_profile(user: User, change: ProfileChange) -> Profile:
    """The owner's own change of their details."""
    apply_profile_change(user, change)
    db.session.commit()
    return user.profile
