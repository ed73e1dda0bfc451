from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from marketplace.orders import views  # noqa: E402,F401
