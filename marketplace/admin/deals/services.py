"""The admins' list of matches past moderation (or any status asked for),
newest first, with the parties loaded for their contacts."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.matches.search import with_everything
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Profile, User
from marketplace.trade.scope import within

# What "deals" means when no status is chosen: both sides said yes.
DEAL_STATUSES = (MatchStatus.CONFIRMED, MatchStatus.SHIPPED, MatchStatus.FULFILLED)


@dataclass(frozen=True)
class DealFilters:
    status: MatchStatus | None = None
    category: str = ""            # a category or a whole group ("food")
    province: str = ""            # the listing's or the delivery province
    text: str = ""                # part of the listing's title or of a party's name


def deal_list(filters: DealFilters, page: int | None = None, viewer: User | None = None) -> Page[Match]:
    """The deals ``viewer`` oversees (see trade.scope), newest first."""
    statement = within(select(Match), viewer, Match)
    statement = (statement.join(Listing, Listing.id == Match.listing_id)
                 .join(DemandOrder, DemandOrder.id == Match.order_id))
    if filters.status is not None:
        statement = statement.where(Match.status == filters.status.value)
    else:
        statement = statement.where(Match.status.in_([s.value for s in DEAL_STATUSES]))
    if filters.category:
        statement = statement.where(db.or_(Match.category == filters.category,
                                           Match.category.like(filters.category + ".%")))
    if filters.province:
        statement = statement.where(db.or_(Listing.province_code == filters.province,
                                           DemandOrder.delivery_province_code == filters.province))
    if filters.text:
        seller, buyer = aliased(Profile), aliased(Profile)
        pattern = f"%{filters.text}%"
        statement = (statement.outerjoin(seller, seller.user_id == Match.producer_id)
                     .outerjoin(buyer, buyer.user_id == Match.distributor_id)
                     .where(db.or_(Listing.title.ilike(pattern), seller.display_name.ilike(pattern),
                                   buyer.display_name.ilike(pattern))))
    statement = with_everything(statement.order_by(Match.created_at.desc(), Match.id.desc()))
    return paginate(statement, page=page)
