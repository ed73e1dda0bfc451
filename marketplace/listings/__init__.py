from flask import Blueprint

bp = Blueprint("listings", __name__, url_prefix="/listings")

from marketplace.listings import views  # noqa: E402,F401
