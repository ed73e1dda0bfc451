from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from marketplace.admin import account_views, audit_views, dashboard_views, views  # noqa: E402,F401
