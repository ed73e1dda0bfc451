"""The rows of the exports: matches, and unmet demand by province.

Typed rows (numbers, moments, text as typed) under typed columns, streamed
from the database (``yield_per``), so 100,000 matches never sit in memory at
once. The page (/admin/exports/...) and the API (/api/v1/admin/exports/...)
write the same rows as CSV or .xlsx with ``web.spreadsheets.table_response``,
which also keeps what users typed from running as a formula.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from marketplace.admin.reports import services as dashboard
from marketplace.core.clock import VIETNAM
from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Profile, User
from marketplace.trade.scope import within
from marketplace.web.labels import category_label, match_status_label, province_name, unit_label
from marketplace.web.spreadsheets import DECIMAL, MOMENT, NUMBER, VND, Column

YIELD_PER = 2000


def remembered(label):
    """``label`` looked up once per code: an export labels the same few codes 10^5 times."""
    known: dict = {}

    def lookup(code):
        if code not in known:
            known[code] = label(code)
        return known[code]
    return lookup


@dataclass(frozen=True)
class MatchFilters:
    status: MatchStatus | None = None
    since: date | None = None      # proposed on or after this day (Vietnam time)
    until: date | None = None      # proposed on or before this day

    def start(self) -> datetime | None:
        return datetime.combine(self.since, time(), VIETNAM) if self.since else None

    def end(self) -> datetime | None:
        """The first moment after ``until``."""
        return datetime.combine(self.until + timedelta(days=1), time(), VIETNAM) if self.until else None


def match_columns() -> list[Column]:
    return [Column(_("Match ID"), NUMBER), Column(_("Status")), Column(_("Category")), Column(_("Listing title")),
            Column(_("Producer")), Column(_("Producer province")), Column(_("Distributor")),
            Column(_("Delivery province")), Column(_("Quantity"), NUMBER), Column(_("Unit")),
            Column(_("Unit price (VND)"), VND), Column(_("Total (VND)"), VND), Column(_("Score"), DECIMAL),
            Column(_("Proposed at (Vietnam time)"), MOMENT), Column(_("Approved at (Vietnam time)"), MOMENT),
            Column(_("Confirmed at (Vietnam time)"), MOMENT), Column(_("Delivered at (Vietnam time)"), MOMENT),
            Column(_("Approved by the policy"))]


def match_rows(filters: MatchFilters, viewer: User | None = None) -> Iterator[list]:
    """One row per match ``viewer`` oversees, oldest first, read from the database in batches."""
    producer, distributor = aliased(Profile), aliased(Profile)
    statement = (
        select(Match.id, Match.status, Match.category, Listing.title, producer.display_name, Listing.province_code,
               distributor.display_name, DemandOrder.delivery_province_code, Match.quantity, Match.unit,
               Match.unit_price, Match.score, Match.created_at, Match.approved_at, Match.confirmed_at,
               Match.fulfilled_at, Match.approved_by_policy)
        .join(Listing, Listing.id == Match.listing_id)
        .join(DemandOrder, DemandOrder.id == Match.order_id)
        .outerjoin(producer, producer.user_id == Match.producer_id)
        .outerjoin(distributor, distributor.user_id == Match.distributor_id)
        .order_by(Match.id))
    statement = within(statement, viewer, Match)
    if filters.status is not None:
        statement = statement.where(Match.status == filters.status)
    if filters.since is not None:
        statement = statement.where(Match.created_at >= filters.start())
    if filters.until is not None:
        statement = statement.where(Match.created_at < filters.end())
    yes, no = _("yes"), _("no")
    status_label, category, unit_name, province = (remembered(match_status_label), remembered(category_label),
                                                   remembered(unit_label), remembered(province_name))
    for (match_id, status, category_code, title, producer_name, listing_province, distributor_name, delivery,
         quantity, unit, unit_price, score, proposed, approved, confirmed, fulfilled, by_policy) \
            in db.session.execute(statement.execution_options(yield_per=YIELD_PER)):
        yield [match_id, status_label(status), category(category_code), title, producer_name,
               province(listing_province), distributor_name, province(delivery), quantity, unit_name(unit),
               unit_price, quantity * unit_price, score, proposed, approved, confirmed, fulfilled,
               yes if by_policy else no]


def unmet_columns() -> list[Column]:
    return [Column(_("Province code")), Column(_("Province")), Column(_("Category")), Column(_("Unit")),
            Column(_("Open orders"), NUMBER), Column(_("Open quantity"), NUMBER),
            Column(_("Supply on offer in the province"), NUMBER),
            Column(_("Gap (open quantity not covered)"), NUMBER)]


def unmet_rows(viewer: User | None = None) -> Iterator[list]:
    """Every (province, category, unit) with open demand (in ``viewer``'s provinces), from two grouped queries."""
    for gap in dashboard.gaps(dashboard.live_supply(viewer), dashboard.open_demand(viewer)):
        if gap.orders:
            yield [gap.province, province_name(gap.province), category_label(gap.category), unit_label(gap.unit),
                   gap.orders, gap.demand, gap.supply, gap.unmet]

