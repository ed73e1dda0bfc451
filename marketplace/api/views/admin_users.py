"""/api/v1/admin/users: search, verify, suspend and reinstate accounts; takedowns."""
from marketplace.api.blueprint import api_blueprint

bp = api_blueprint("api_admin_users", __name__, "Accounts and takedowns (admins only).")
