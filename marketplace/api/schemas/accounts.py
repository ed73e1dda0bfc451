"""Registration and API tokens."""
from __future__ import annotations

from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, post_load, validates, validates_schema
from marshmallow.fields import Function
from wtforms.validators import Email
from wtforms.validators import ValidationError as FormRuleError

from marketplace.api.schemas.base import ApiSchema, DateTime, Enum, Integer, MaxLength, String, choice, text
from marketplace.auth.forms import (
    PASSWORD_MAX_LENGTH,
    KnownProvince,
    VietnamesePhone,
    normalise_phone,
    password_problem,
)
from marketplace.auth.tokens import expires_at
from marketplace.models.user import ProfileKind, Role

_EMAIL_RULE = Email(message=_l("Enter a valid e-mail address."), check_deliverability=False)


def form_rule(rule, value: str) -> SimpleNamespace:
    """Run one of the registration form's field rules, so the API and the
    page accept exactly the same input. Returns the field it checked."""
    field = SimpleNamespace(data=value, errors=[])
    try:
        rule(None, field)
    except FormRuleError as error:
        raise ValidationError(str(error)) from error
    return field


class RegisterSchema(ApiSchema):
    """A new producer or distributor. No token and no session comes back:
    ask POST /api/v1/auth/tokens for one."""
    email = String(required=True, validate=MaxLength(254), metadata={"format": "email"})
    password = String(required=True, validate=MaxLength(PASSWORD_MAX_LENGTH), load_only=True, metadata={
        "description": "At least 10 characters, mixing letters with digits or symbols."})
    role = String(required=True, validate=choice((Role.PRODUCER.value, Role.DISTRIBUTOR.value)))
    display_name = text(120, 2, required=True)
    province = String(required=True, validate=MaxLength(80), metadata={
        "description": "Any province name, code or pre-2025 name."})
    phone = String(required=True, validate=MaxLength(20), metadata={"example": "0912 345 678"})
    kind = String(validate=choice([kind.value for kind in ProfileKind]),
                  metadata={"description": "Default household."})
    ocop_certificate_no = text(60, allow_none=True, metadata={"description": "Producers only."})

    @validates("email")
    def _email(self, value, **kwargs):
        form_rule(_EMAIL_RULE, value)

    @validates("phone")
    def _phone(self, value, **kwargs):
        form_rule(VietnamesePhone(), value)

    @validates("province")
    def _province(self, value, **kwargs):
        form_rule(KnownProvince(), value)

    @validates_schema(skip_on_field_errors=False)
    def _strong_password(self, data, **kwargs):
        if "password" in data:
            problem = password_problem(data["password"], data.get("email") or "")
            if problem:
                raise ValidationError(str(problem), "password")

    @post_load
    def _normalised(self, data, **kwargs):
        data["province_code"] = form_rule(KnownProvince(), data.pop("province")).province.code
        data["phone"] = normalise_phone(data["phone"])
        data["ocop_certificate_no"] = (data.get("ocop_certificate_no") or "").strip() or None
        return data


class UserSchema(ApiSchema):
    id = Integer()
    email = String()
    role = Enum(Role)
    display_name = String()
    province = String(attribute="profile.province_code", allow_none=True)
    phone = String(attribute="profile.phone", allow_none=True)
    locale = String()


class SignUpSentSchema(ApiSchema):
    """What a sign-up answers when the e-mail must be confirmed first."""
    email = String()
    message = Function(lambda _data: str(_l(
        "Check your e-mail: we sent a link to finish signing up. If this address already has an "
        "account, we wrote to it how to sign in instead.")))


class TokenRequestSchema(ApiSchema):
    email = String(required=True, validate=MaxLength(254))
    password = String(required=True, validate=MaxLength(PASSWORD_MAX_LENGTH), load_only=True)
    name = text(80, metadata={"description": "To tell your tokens apart, e.g. the app using it."})


class TokenSchema(ApiSchema):
    """A token as listed: never its secret."""
    id = Integer()
    name = String()
    hint = String(metadata={"description": "The token's first characters."})
    created_at = DateTime()
    last_used_at = DateTime(allow_none=True, metadata={"description": "Noted at most once a minute."})
    expires_at = Function(lambda token: expires_at(token).isoformat(), metadata={
        "type": "string", "format": "date-time", "description": "It stops working then (API_TOKEN_DAYS)."})


class NewTokenSchema(ApiSchema):
    """The secret is shown here once and never again."""
    token = String(attribute="secret", metadata={
        "description": "Send it as `Authorization: Bearer <token>`."})
    id = Integer(attribute="token.id")
    name = String(attribute="token.name")
    hint = String(attribute="token.hint")
    created_at = DateTime(attribute="token.created_at")
    expires_at = Function(lambda issued: expires_at(issued.token).isoformat(),
                          metadata={"type": "string", "format": "date-time"})
