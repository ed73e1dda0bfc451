"""Account forms. Every check that can fail tells the user which field and why."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Optional, ValidationError

from marketplace.auth.guessable import is_guessable
from marketplace.auth.services import ProfileChange
from marketplace.geo import resolve_province
from marketplace.models.user import ProfileKind, Role
from marketplace.web.forms import Form, length_between, max_length, required

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
_PHONE_DIGITS = re.compile(r"^0\d{9,10}$")


def normalise_phone(raw: str) -> str:
    """'+84 912.345.678' -> '0912345678'."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password is too weak, or None. Length matters most; the
    other rules stop the guesses attackers try first."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _l("Use at least %(n)d characters.", n=PASSWORD_MIN_LENGTH)
    if len(set(password)) < 5:
        return _l("Use more different characters.")
    if password.isdigit() or password.isalpha():
        return _l("Mix letters with digits or symbols.")
    if is_guessable(password):
        return _l("This password is one of the first that attackers try. Choose another, e.g. a few words "
                  "with a number: ca-phe-sua-da-2026.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        return _l("Do not use your e-mail address in the password.")
    return None


class StrongPassword:
    def __init__(self, email_field: str = "email"):
        self.email_field = email_field

    def __call__(self, form, field):
        email_field = getattr(form, self.email_field, None)
        problem = password_problem(field.data or "", email_field.data if email_field else "")
        if problem:
            raise ValidationError(problem)


class KnownProvince:
    """Accepts any name of the 34 units or of the 63 former provinces."""

    def __call__(self, form, field):
        province = resolve_province(field.data or "")
        if province is None:
            raise ValidationError(_l("Unknown province. Type a province or city name, e.g. Cần Thơ."))
        field.province = province


class VietnamesePhone:
    def __call__(self, form, field):
        if not _PHONE_DIGITS.match(normalise_phone(field.data)):
            raise ValidationError(_l("Enter a Vietnamese phone number, e.g. 0912 345 678."))


def _kind_choices():
    return [
        SelectChoice(ProfileKind.COOPERATIVE.value, _l("Cooperative")),
        SelectChoice(ProfileKind.ENTERPRISE.value, _l("Small enterprise")),
        SelectChoice(ProfileKind.HOUSEHOLD.value, _l("Household business")),
        SelectChoice(ProfileKind.COMPANY.value, _l("Company")),
    ]


class RegistrationForm(Form):
    role = RadioField(_l("I am a"), choices=[
        SelectChoice(Role.PRODUCER.value, _l("Producer (I sell OCOP products)")),
        SelectChoice(Role.DISTRIBUTOR.value, _l("Distributor (I buy to resell)")),
    ], validators=[DataRequired(message=_l("Choose producer or distributor."))])
    email = EmailField(_l("E-mail"), validators=[
        required(), max_length(254), Email(message=_l("Enter a valid e-mail address."),
                                               check_deliverability=False)])
    password = PasswordField(_l("Password"), validators=[
        required(), max_length(PASSWORD_MAX_LENGTH), StrongPassword()])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        required(), EqualTo("password", message=_l("The two passwords differ."))])
    display_name = StringField(_l("Name of your business"), validators=[
        required(), length_between(2, 120)])
    kind = SelectField(_l("Kind"), choices=_kind_choices, validators=[required()])
    province = StringField(_l("Province or city"), validators=[
        required(), max_length(80), KnownProvince()])
    phone = StringField(_l("Phone"), validators=[required(), max_length(20), VietnamesePhone()])
    ocop_certificate_no = StringField(_l("OCOP certificate number (producers)"), validators=[
        Optional(), max_length(60)])


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(PASSWORD_MAX_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[required()])
    password = PasswordField(_l("New password"), validators=[
        required(), max_length(PASSWORD_MAX_LENGTH), StrongPassword(email_field="_no_email")])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        required(), EqualTo("password", message=_l("The two passwords differ."))])


class LogoutForm(Form):
    """Logout is a POST with a CSRF token, so another site cannot sign a user out."""


_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


class TaxCode:
    def __call__(self, form, field):
        if field.data and not _TAX_CODE.match(field.data.strip()):
            raise ValidationError(_l("A tax code has 10 digits, or 10 digits, a dash and 3 more (0312345678-001)."))


class ProfileForm(Form):
    display_name = StringField(_l("Name of your business"), validators=[required(), length_between(2, 120)])
    province = StringField(_l("Province or city"), validators=[required(), max_length(80), KnownProvince()])
    phone = StringField(_l("Phone"), validators=[required(), max_length(20), VietnamesePhone()])
    address = StringField(_l("Address (for deliveries and invoices)"), validators=[Optional(), max_length(300)])
    tax_code = StringField(_l("Tax code (distributors)"), validators=[Optional(), max_length(20), TaxCode()])
    ocop_certificate_no = StringField(_l("OCOP certificate number"), validators=[Optional(), max_length(60)])

    def change(self) -> ProfileChange:
        """The validated form as the profile services take it (the owner's page and the admin's)."""
        return ProfileChange(display_name=self.display_name.data, province_code=self.province.province.code,
                             phone=normalise_phone(self.phone.data), address=self.address.data,
                             tax_code=self.tax_code.data, ocop_certificate_no=self.ocop_certificate_no.data)


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-mail"), validators=[
        required(), max_length(254), Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)])


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[
        required(), max_length(PASSWORD_MAX_LENGTH), StrongPassword(email_field="_no_email")])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        required(), EqualTo("password", message=_l("The two passwords differ."))])
