"""SQLAlchemy models, one module per aggregate.

Importing this package registers every table on ``db.metadata`` (Alembic and
``create_all`` rely on it), with the two the core layer writes itself: the
audit log (``core.audit``) and the outbox (``core.outbox``).
"""
from marketplace.core import audit as _audit  # noqa: F401  (their tables)
from marketplace.core import outbox as _outbox
from marketplace.models.api_token import ApiToken
from marketplace.models.deal import Rating, Shipment
from marketplace.models.health import HealthPing
from marketplace.models.listing import Listing, ListingCertification, ListingStatus
from marketplace.models.lot import Lot, ShipmentLot, TraceEvent
from marketplace.models.match import Match, MatchRun, MatchRunPart, MatchSource, MatchStatus, RunStatus, RunTrigger
from marketplace.models.message import MatchMessage
from marketplace.models.notification import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationSettings,
    WebhookEndpoint,
)
from marketplace.models.offer import Offer, OfferStatus
from marketplace.models.order import DemandOrder, OrderRequiredCertification, OrderStatus
from marketplace.models.photo import ListingPhoto
from marketplace.models.policy import ApprovalPolicy
from marketplace.models.user import AdminProvince, Profile, User

__all__ = [
    "AdminProvince", "ApiToken", "ApprovalPolicy", "Match", "MatchRun", "MatchRunPart", "MatchSource", "MatchStatus", "Offer",
    "OfferStatus", "Rating", "Shipment", "RunStatus",
    "RunTrigger", "DemandOrder", "HealthPing", "Listing", "ListingCertification", "ListingStatus",
    "OrderRequiredCertification", "OrderStatus", "Profile", "User",
    "Channel", "DeliveryStatus", "Notification", "NotificationDelivery", "NotificationPreference",
    "NotificationSettings", "WebhookEndpoint",
    "MatchMessage", "ListingPhoto", "Lot", "ShipmentLot", "TraceEvent",
]
