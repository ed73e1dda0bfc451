"""/api/v1/admin/audit: the audit log."""
from marketplace.api.blueprint import api_blueprint

bp = api_blueprint("api_admin_audit", __name__, "The audit log (admins only).")
