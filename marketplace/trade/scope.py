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

from sqlalchemy import Select, and_, exists, false, or_, select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.models import AdminProvince, DemandOrder, Listing, Lot, Match, Profile, Rating, User
from marketplace.models.user import Role


def provinces_of(user: User) -> tuple[str, ...]:
    """The province codes an admin is limited to, sorted; () for the whole country (and for non-admins)."""
    if user is None or getattr(user, "role", None) != Role.ADMIN:
        return ()
    return tuple(db.session.scalars(select(AdminProvince.province_code)
                                    .where(AdminProvince.user_id == user.id)
                                    .order_by(AdminProvince.province_code)))


def is_scoped(user: User) -> bool:
    return bool(provinces_of(user))


def _listing(codes):
    return Listing.province_code.in_(codes)


def _order(codes):
    return DemandOrder.delivery_province_code.in_(codes)


def _match(codes):
    return or_(exists(select(Listing.id).where(Listing.id == Match.listing_id, _listing(codes))),
               exists(select(DemandOrder.id).where(DemandOrder.id == Match.order_id, _order(codes))))


def _user(codes):
    return exists(select(Profile.id).where(Profile.user_id == User.id, Profile.province_code.in_(codes)))


def _rating(codes):
    return Rating.match_id.in_(select(Match.id).where(_match(codes)))


def _lot(codes):
    return Lot.listing_id.in_(select(Listing.id).where(_listing(codes)))


def _audit(codes):
    about = {"match": (Match, _match), "listing": (Listing, _listing), "order": (DemandOrder, _order),
             "user": (User, _user), "rating": (Rating, _rating), "lot": (Lot, _lot)}
    return or_(*(and_(AuditLog.target_type == kind, AuditLog.target_id.in_(select(model.id).where(clause(codes))))
                 for kind, (model, clause) in about.items()))


CLAUSES = {Listing: _listing, DemandOrder: _order, Match: _match, User: _user, Rating: _rating, Lot: _lot,
           AuditLog: _audit}


def scope_clause(model: type, codes) -> object:
    """SQL: a row of ``model`` touches one of ``codes`` (for queries not over the model itself)."""
    return CLAUSES[model](tuple(codes)) if codes else false()


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
