"""The Match aggregate of the app: match runs (load from the database, call
the engine, write proposals), the lifecycle from proposal to fulfilment, stock
moves, the auto-approval policy's application, hints, and the parties' match
pages. Not to be confused with ``marketplace.matching``, the pure engine that
runs call: this package talks to the database, that one never does."""
from flask import Blueprint

bp = Blueprint("matches", __name__, url_prefix="/matches")

from marketplace.matches import thread_views, views  # noqa: E402,F401
