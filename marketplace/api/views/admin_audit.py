"""/api/v1/admin/audit: the audit log, newest first, read-only."""
from __future__ import annotations

from flask.views import MethodView

from marketplace.admin.audit.services import AuditFilters, audit_entries
from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import api_blueprint
from marketplace.api.schemas.admin_audit import AuditEntrySchema, AuditQuerySchema
from marketplace.api.schemas.base import page_of
from marketplace.api.views.admin import admin_only

bp = api_blueprint("api_admin_audit", __name__, "The audit log (admins only).")


@bp.route("/admin/audit", endpoint="audit")
class AuditLogEntries(MethodView):
    @token_required
    @admin_only
    @bp.arguments(AuditQuerySchema, location="query")
    @bp.response(200, page_of(AuditEntrySchema))
    def get(self, args: dict):
        """Audit entries: every admin action and every match state change

        Filter by who acted, the action, the record and the days (both ends included).
        """
        page, per_page = args.pop("page", None), args.pop("per_page", None)
        return audit_entries(AuditFilters(**args), page=page, per_page=per_page, viewer=current_user())
