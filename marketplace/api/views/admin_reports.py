"""/api/v1/admin/dashboard and the CSV exports."""
from marketplace.api.blueprint import api_blueprint

bp = api_blueprint("api_admin_reports", __name__, "Supply and demand figures (admins only).")
