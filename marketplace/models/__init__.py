"""SQLAlchemy models, one module per aggregate.

Importing this package registers every table on ``db.metadata`` (Alembic and
``create_all`` rely on it).
"""
from marketplace.models.api_token import ApiToken
from marketplace.models.health import HealthPing
from marketplace.models.listing import Listing, ListingCertification, ListingStatus
from marketplace.models.order import DemandOrder, OrderRequiredCertification, OrderStatus
from marketplace.models.user import Profile, User

__all__ = [
    "ApiToken", "DemandOrder", "HealthPing", "Listing", "ListingCertification", "ListingStatus",
    "OrderRequiredCertification", "OrderStatus", "Profile", "User",
]
