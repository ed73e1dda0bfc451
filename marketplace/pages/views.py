from flask import current_app, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import text

from marketplace.auth.services import set_locale
from marketplace.core.extensions import db
from marketplace.matches.figures import recent_totals
from marketplace.pages import bp
from marketplace.web.i18n import LOCALE_COOKIE


@bp.route("/")
def home():
    totals = recent_totals(current_user) if current_user.is_authenticated else None
    return render_template("pages/home.html", totals=totals)


@bp.route("/language", methods=["POST"])
def language():
    """Remembered in a cookie for visitors and on the account for users."""
    locale = request.form.get("locale", "")
    target = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else url_for("pages.home")
    response = redirect(target)
    if locale in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=60 * 60 * 24 * 365, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            set_locale(current_user, locale)
    return response


# Photo files are named by the hash of their content: they never change, so caches keep them a year.
# In production a front proxy or CDN may serve MEDIA_ROOT at /media/ itself (README).
MEDIA_MAX_AGE = 365 * 24 * 3600


@bp.route("/media/<path:name>")
def media(name: str):
    response = send_from_directory(current_app.config["MEDIA_ROOT"], name, max_age=MEDIA_MAX_AGE)
    response.cache_control.immutable = True
    response.cache_control.public = True
    return response


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
