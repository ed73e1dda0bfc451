"""Province scoping of admin accounts: the one place that turns an admin's
provinces into SQL. Every admin list adds ``within(...)`` to its query, and
every loader of one record asks ``covers(...)``, which runs the same clause,
so a list and a detail page can never disagree about what is in scope.

What "touches" a province (issue #17: a producer or a delivery province):
- a listing: its province (where the producer offers the goods);
- a demand order: its delivery province;
- a match: its listing's province or its order's delivery province;
- an account: its profile's province (admins have none, so a scoped admin
  sees no other admin);
- a review: its match; a lot: its listing;
- an audit entry: the record it is about. Runs and the auto-approval policy
  are national: their entries are for unscoped admins only.

An admin with no province oversees the whole country: every function here
then changes nothing."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import aliased

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.models import AdminProvince, DemandOrder, Listing, Lot, Match, Profile, Rating, User
from marketplace.models.user import Role


def provinces_of(user: User) -> tuple[str, ...]:
    """The province codes an admin is limited to, sorted; () for the whole country (and for non-admins).
    Asked several times by one page (top bar, lists, row actions): one query per request and admin."""
    if user is None or getattr(user, "role", None) != Role.ADMIN:
        return ()
    # Only within a request: a test's or a command's app context can outlive a change of scope.
    cache = g.setdefault("admin_provinces", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = tuple(db.session.scalars(select(AdminProvince.province_code)
                                                  .where(AdminProvince.user_id == user.id)
                                                  .order_by(AdminProvince.province_code)))
    return cache[user.id]


def forget_provinces_of(user: User) -> None:
    """Drops this request's copy of ``user``'s provinces, for whoever changes them."""
    if has_request_context():
        g.get("admin_provinces", {}).pop(user.id, None)


def is_scoped(user: User) -> bool:
    return bool(provinces_of(user))


# Each clause takes the entity it filters, so that the subqueries (over
# aliases of their own) never correlate with a table the outer query already
# joins, as the deals page and the exports join Listing and DemandOrder.

def _listing(codes, listing=Listing):
    return listing.province_code.in_(codes)


def _order(codes, order=DemandOrder):
    return order.delivery_province_code.in_(codes)


def _match(codes, match=Match):
    listing, order = aliased(Listing), aliased(DemandOrder)
    return or_(exists(select(listing.id).where(listing.id == match.listing_id, _listing(codes, listing))),
               exists(select(order.id).where(order.id == match.order_id, _order(codes, order))))


def _user(codes, user=User):
    profile = aliased(Profile)
    return exists(select(profile.id).where(profile.user_id == user.id, profile.province_code.in_(codes)))


def _rating(codes, rating=Rating):
    match = aliased(Match)
    return exists(select(match.id).where(match.id == rating.match_id, _match(codes, match)))


def _lot(codes, lot=Lot):
    listing = aliased(Listing)
    return exists(select(listing.id).where(listing.id == lot.listing_id, _listing(codes, listing)))


def _audit(codes):
    about = {"match": (Match, _match), "listing": (Listing, _listing), "order": (DemandOrder, _order),
             "user": (User, _user), "rating": (Rating, _rating), "lot": (Lot, _lot)}
    parts = []
    for kind, (model, clause) in about.items():
        row = aliased(model)
        parts.append(and_(AuditLog.target_type == kind,
                          exists(select(row.id).where(row.id == AuditLog.target_id, clause(codes, row)))))
    return or_(*parts)


CLAUSES = {Listing: _listing, DemandOrder: _order, Match: _match, User: _user, Rating: _rating, Lot: _lot,
           AuditLog: _audit}


def within(statement: Select, admin: User, model: type) -> Select:
    """``statement`` (over ``model``) narrowed to what ``admin`` oversees; unchanged for the whole country."""
    codes = provinces_of(admin)
    return statement.where(CLAUSES[model](codes)) if codes else statement


def covers(admin: User, row) -> bool:
    """Whether ``admin`` oversees this one record: the list's clause, asked of its id."""
    codes = provinces_of(admin)
    if not codes:
        return True
    model = type(row)
    return bool(db.session.scalar(select(exists().where(model.id == row.id, CLAUSES[model](codes)))))


def oversees(user: User, row) -> bool:
    """Whether ``user`` has an admin's powers over this record: an admin whose provinces it touches."""
    return user.role == Role.ADMIN and covers(user, row)


def overseen_ids(user: User, model: type, ids) -> set[int]:
    """Which of these records ``user`` has an admin's powers over, in one
    query (for pages that offer an admin action on each row of a list)."""
    ids = list(ids)
    if not ids or user.role != Role.ADMIN:
        return set()
    return set(db.session.scalars(within(select(model.id).where(model.id.in_(ids)), user, model)))
