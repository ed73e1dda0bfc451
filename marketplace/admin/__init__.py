"""The admin area, for the provincial programme's staff: one blueprint, one
sub-package per part (moderation, deals, accounts, audit, reports, runs), each with
its services, forms and views. Every page needs the admin role, checked once
here for the whole blueprint."""
from flask import Blueprint

from marketplace.auth.permissions import role_required
from marketplace.models.user import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_required = role_required(Role.ADMIN)


@bp.before_request
@admin_required
def only_admins():
    """Every page here is an admin's."""


from marketplace.admin.accounts import views as _accounts  # noqa: E402,F401
from marketplace.admin.audit import views as _audit  # noqa: E402,F401
from marketplace.admin.deals import views as _deals  # noqa: E402,F401
from marketplace.admin.moderation import views as _moderation  # noqa: E402,F401
from marketplace.admin.reports import views as _reports  # noqa: E402,F401
from marketplace.admin.runs import views as _runs  # noqa: E402,F401
