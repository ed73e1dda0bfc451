"""/api/v1/auth: sign up, and get, list and revoke API tokens."""
from __future__ import annotations

from flask import after_this_request, current_app, jsonify
from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with
from marketplace.api.schemas.accounts import (
    NewTokenSchema,
    RegisterSchema,
    SignUpSentSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)
from marketplace.api.schemas.base import PageQuery, page_of
from marketplace.auth.services import AccountError, Registration, normalise_email, register_user, sign_in, sign_up
from marketplace.auth.throttle import LoginThrottled, throttled_message
from marketplace.auth.tokens import create_token, list_tokens, revoke_token
from marketplace.core.errors import ApiError
from marketplace.core.extensions import limiter
from marketplace.models.user import ProfileKind, Role
from marketplace.web.i18n import select_locale

bp = api_blueprint("api_auth", __name__, "Accounts and API tokens.")


@bp.route("/auth/register", methods=["POST"], endpoint="register")
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"])
@bp.arguments(RegisterSchema)
@bp.response(201, UserSchema)
@bp.alt_response(202, schema=SignUpSentSchema, description=(
    "With REQUIRE_EMAIL_CONFIRMATION (on in production): the same answer whether or not "
    "the e-mail already has an account; the link in the e-mail finishes the sign-up."))
def register(data: dict):
    """Create a producer or distributor account

    The same rules as the sign-up page. No token and no session comes
    back: ask `POST /api/v1/auth/tokens` for a token. Where e-mail
    confirmation is required, the answer is a 202 that does not say
    whether the address was new (its owner is told by e-mail instead).
    """
    registration = Registration(
        email=data["email"], password=data["password"], role=Role(data["role"]),
        display_name=data["display_name"], kind=ProfileKind(data.get("kind", ProfileKind.HOUSEHOLD.value)),
        province_code=data["province_code"], phone=data["phone"],
        ocop_certificate_no=data["ocop_certificate_no"], locale=select_locale())
    try:
        if current_app.config.get("REQUIRE_EMAIL_CONFIRMATION"):
            # The account is of no use before its link is opened, so nothing is
            # lost by not returning it, and a taken address is not revealed.
            sign_up(registration)
            response = jsonify(SignUpSentSchema().dump({"email": normalise_email(data["email"])}))
            response.status_code = 202
            return response
        return register_user(registration)
    except AccountError as error:
        raise ApiError(422, "invalid", error.message, error.fields) from error


@bp.route("/auth/tokens", endpoint="tokens")
class Tokens(MethodView):
    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"])
    @fails_with(401, 429)
    @bp.arguments(TokenRequestSchema)
    @bp.response(201, NewTokenSchema)
    def post(self, data: dict):
        """Get an API token

        Throttled like the login form, with the same counter: per address,
        and per account and address for wrong passwords, each one after the
        fifth doubling the wait (429 with `Retry-After`). The token is shown
        once; only a hash is kept.
        """
        try:
            user = sign_in(data["email"], data["password"])
        except LoginThrottled as wait:
            seconds = wait.retry_after

            @after_this_request
            def retry_after(response):
                response.headers["Retry-After"] = str(seconds)
                return response
            raise ApiError(429, "rate_limited", throttled_message(seconds)) from wait
        except AccountError as error:
            raise ApiError(401, "invalid_credentials", error.message) from error
        return create_token(user, data.get("name"))

    @token_required
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(TokenSchema))
    def get(self, args: dict):
        """Your working API tokens, newest first (never their secrets)"""
        return list_tokens(current_user(), args.get("page"), args.get("per_page"))


@bp.route(f"/auth/tokens/<{ID}:token_id>", methods=["DELETE"], endpoint="revoke_token")
@token_required
@fails_with(404)
@bp.response(204)
def revoke(token_id: int):
    """Revoke one of your tokens; it stops working at once"""
    if not revoke_token(current_user(), token_id):
        raise ApiError(404, "not_found", _("No such token."))
