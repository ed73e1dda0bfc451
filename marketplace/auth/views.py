from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from marketplace.auth import bp
from marketplace.auth.certificates import MAX_BYTES as SCAN_MAX_BYTES
from marketplace.auth.certificates import certificate_scan, scan_response, store_certificate_scan
from marketplace.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    normalise_phone,
)
from marketplace.auth.recovery import (
    ResetLinkInvalid,
    confirm_email,
    invalid_link_message,
    request_reset,
    reset_password,
    user_for_reset,
)
from marketplace.auth.services import (
    AccountError,
    Registration,
    change_password,
    end_all_sessions,
    set_locale,
    sign_in,
    sign_up,
    update_profile,
)
from marketplace.auth.session import remembered, start_session
from marketplace.auth.throttle import LoginThrottled, throttled_message
from marketplace.auth.tokens import expires_at, list_tokens, revoke_token
from marketplace.core.extensions import limiter
from marketplace.core.pagination import requested_page
from marketplace.core.uploads import accepts_upload
from marketplace.core.validation import InvalidInput, NotAllowed
from marketplace.models.user import ProfileKind, Role
from marketplace.web.forms import apply_field_errors
from marketplace.web.i18n import LOCALE_COOKIE, select_locale
from marketplace.web.labels import province_name


def _sign_in(user, remember: bool = False) -> None:
    """Signs ``user`` in on this device with a fresh CSRF secret: a token read
    before the login (by someone who shared the device) is worthless after it."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)
    remember = remembered(user, remember)
    login_user(user, remember=remember)
    start_session(user, remember)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce users elsewhere."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.home")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegistrationForm()
    if request.method == "GET" and request.args.get("role") in (Role.PRODUCER.value, Role.DISTRIBUTOR.value):
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        try:
            sign_up(Registration(
                email=form.email.data, password=form.password.data, role=Role(form.role.data),
                display_name=form.display_name.data, kind=ProfileKind(form.kind.data),
                province_code=form.province.province.code, phone=normalise_phone(form.phone.data),
                ocop_certificate_no=(form.ocop_certificate_no.data or "").strip() or None,
                locale=select_locale(),
            ))
        except AccountError as error:
            apply_field_errors(form, error.fields, error.message)
        else:
            # The same answer whether the e-mail was new or had an account: the e-mail tells the owner.
            return redirect(url_for("auth.registered"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/registered")
def registered():
    return render_template("auth/registered.html", days=int(float(current_app.config["EMAIL_CONFIRM_DAYS"])))


@bp.get("/confirm/<token>")
def confirm(token: str):
    try:
        user = confirm_email(token)
    except ResetLinkInvalid:
        return render_template("auth/reset.html", form=None, invalid=invalid_link_message()), 400
    flash(_("Your e-mail is confirmed. Welcome to CungCầu, %(name)s!", name=user.display_name), "success")
    return redirect(url_for("pages.home") if current_user.is_authenticated else url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_IP"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = sign_in(form.email.data, form.password.data)
        except LoginThrottled as wait:
            form.form_errors.append(throttled_message(wait.retry_after))
            return (render_template("auth/login.html", form=form), 429,
                    {"Retry-After": str(wait.retry_after)})
        except AccountError as error:
            form.form_errors.append(error.message)
        else:
            chosen = request.cookies.get(LOCALE_COOKIE)
            if chosen in current_app.config["LANGUAGES"] and chosen != user.locale:
                # The language picked on this device just now beats the one
                # stored on the account from an earlier visit.
                set_locale(user, chosen)
            _sign_in(user, remember=form.remember.data)
            if user.email_confirmed_at is None:
                flash(_("Please confirm your e-mail: open the link we sent to %(email)s.", email=user.email), "info")
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_all_sessions(current_user)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


def _password_account_key() -> str:
    return f"password-account:{current_user.get_id()}"


@bp.route("/password", methods=["GET", "POST"])
@login_required
# A stolen session must not become a way to guess the current password.
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"], methods=["POST"],
               key_func=_password_account_key, deduct_when=lambda response: response.status_code != 302)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = current_user._get_current_object()
            change_password(user, form.current_password.data, form.password.data)
        except AccountError as error:
            apply_field_errors(form, error.fields, error.message)
        else:
            # The token rotated: sign this device in again with the new one.
            _sign_in(user)
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("pages.home"))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """A producer's or distributor's own details, shown to the other party once a deal is confirmed."""
    user = current_user._get_current_object()
    if user.profile is None:
        abort(404)
    form = ProfileForm(data={"display_name": user.profile.display_name, "phone": user.profile.phone,
                             "province": province_name(user.profile.province_code),
                             "address": user.profile.address, "tax_code": user.profile.tax_code,
                             "ocop_certificate_no": user.profile.ocop_certificate_no})
    if form.validate_on_submit():
        was_verified = user.profile.verified_at is not None
        update_profile(user, form.change())
        flash(_("Your profile is saved."), "success")
        if was_verified and user.profile.verified_at is None:
            flash(_("Your certificate number changed, so your verification lapsed: the programme staff "
                    "check the new number before you show as verified again."), "error")
        return redirect(url_for(".profile"))
    status = 400 if form.errors else 200
    return render_template("auth/profile.html", form=form, profile=user.profile,
                           scan=certificate_scan(user.profile), scan_form=FlaskForm()), status


@bp.post("/profile/certificate")
@accepts_upload(SCAN_MAX_BYTES)
@login_required
def send_certificate():
    """A producer's scan of the OCOP certificate, for the staff who verify it."""
    user = current_user._get_current_object()
    if not FlaskForm().validate_on_submit():
        flash(_("The form expired or came from another site. Reload the page and try again."), "error")
        return redirect(url_for(".profile", _anchor="verification"))
    upload = request.files.get("file")
    try:
        store_certificate_scan(user, upload.read(SCAN_MAX_BYTES + 1) if upload else b"")
    except InvalidInput as error:
        flash(error.fields.get("file") or error.message, "error")
    except NotAllowed as error:
        flash(str(error), "error")
    else:
        flash(_("Your certificate scan is sent: the programme staff see it when they check your certificate."),
              "success")
    return redirect(url_for(".profile", _anchor="verification"))


@bp.get("/profile/certificate")
@login_required
def certificate():
    return scan_response(current_user.profile)
@bp.get("/tokens")
@login_required
def tokens():
    """The account's working API tokens (never their secrets), each with a revoke button."""
    user = current_user._get_current_object()
    return render_template("auth/tokens.html", tokens=list_tokens(user, requested_page()), expires_at=expires_at,
                           form=LogoutForm())


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    if not LogoutForm().validate_on_submit():
        abort(400)
    if not revoke_token(current_user._get_current_object(), token_id):
        abort(404)
    flash(_("The token is revoked: it stops working at once."), "success")
    return redirect(url_for("auth.tokens"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def forgot():
    """The same answer whether or not the e-mail has an account."""
    form = ForgotPasswordForm()
    hours = int(float(current_app.config["PASSWORD_RESET_HOURS"]))
    if form.validate_on_submit():
        request_reset(form.email.data)
        return render_template("auth/forgot.html", form=form, sent=True, hours=hours)
    status = 400 if form.errors else 200
    return render_template("auth/forgot.html", form=form, sent=False, hours=hours), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        user_for_reset(token)
    except ResetLinkInvalid:
        return render_template("auth/reset.html", form=None, invalid=invalid_link_message()), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.password.data)
        except ResetLinkInvalid:
            return render_template("auth/reset.html", form=None, invalid=invalid_link_message()), 400
        if current_user.is_authenticated:
            logout_user()
        _sign_in(user)
        flash(_("Your password is changed. Other devices are signed out."), "success")
        return redirect(url_for("pages.home"))
    status = 400 if form.errors else 200
    return render_template("auth/reset.html", form=form, invalid=None), status
