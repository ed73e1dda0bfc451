"""The supply and demand dashboard and its CSV exports."""
from marketplace.admin import bp  # noqa: F401
