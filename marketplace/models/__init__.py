"""SQLAlchemy models, one module per aggregate.

Importing this package registers every table on ``db.metadata`` (Alembic and
``create_all`` rely on it).
"""
from marketplace.models.health import HealthPing
from marketplace.models.user import Profile, User

__all__ = ["HealthPing", "Profile", "User"]
