"""The audit log page."""
from marketplace.admin import bp  # noqa: F401
