from flask import Blueprint

bp = Blueprint("matches", __name__, url_prefix="/matches")

from marketplace.matches import views  # noqa: E402,F401
