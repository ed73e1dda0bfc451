"""The admin area, for the provincial programme's staff: one blueprint, one
sub-package per part (moderation, deals, accounts, audit, reports, runs), each with
its services, forms and views. Every page needs the admin role, checked once
here for the whole blueprint."""
from flask import Blueprint, abort, has_request_context

from marketplace.auth.permissions import current_account, role_required
from marketplace.models.user import Role
from marketplace.trade.scope import is_scoped, provinces_of
from marketplace.web.labels import province_name

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_required = role_required(Role.ADMIN)


@bp.before_request
@admin_required
def only_admins():
    """Every page here is an admin's."""


@bp.app_context_processor
def admin_provinces() -> dict:
    """The provinces a scoped admin oversees, by name, for the top bar of
    every page (empty for the whole country, and for everyone else)."""
    # E-mails are rendered outside any request (a worker), with no one signed in;
    # provinces_of answers () for anyone but an admin.
    if not has_request_context():
        return {"my_provinces": []}
    return {"my_provinces": [province_name(code) for code in provinces_of(current_account())]}


def national_only() -> None:
    """Match runs and the auto-approval policy cover the whole country, so
    only an admin of the whole country starts or changes them (403)."""
    if is_scoped(current_account()):
        abort(403)


from marketplace.admin.accounts import views as _accounts  # noqa: E402,F401
from marketplace.admin.audit import views as _audit  # noqa: E402,F401
from marketplace.admin.deals import views as _deals  # noqa: E402,F401
from marketplace.admin.moderation import views as _moderation  # noqa: E402,F401
from marketplace.admin.reports import views as _reports  # noqa: E402,F401
from marketplace.admin.runs import views as _runs  # noqa: E402,F401
