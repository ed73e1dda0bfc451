from flask import Blueprint

bp = Blueprint("listings", __name__, url_prefix="/listings")

from marketplace.listings import (
    photo_views,  # noqa: E402,F401
    views,  # noqa: E402,F401
)
