"""The rows of the exports: matches, and unmet demand by province.

Rows are streamed from the database (``yield_per``), so 100,000 matches
never sit in memory at once. Text that users typed (titles, names) goes
through ``web.spreadsheets.neutralised``. The page (/admin/exports/...) and
the API (/api/v1/admin/exports/...) write the same rows with
``web.spreadsheets.csv_response``.
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
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Profile
from marketplace.web.formats import csv_time
from marketplace.web.labels import category_label, match_status_label, province_name, unit_label
from marketplace.web.spreadsheets import neutralised

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


def match_header() -> list[str]:
    return [_("Match ID"), _("Status"), _("Category"), _("Listing title"), _("Producer"),
            _("Producer province"), _("Distributor"), _("Delivery province"), _("Quantity"), _("Unit"),
            _("Unit price (VND)"), _("Total (VND)"), _("Score"), _("Proposed at (Vietnam time)"),
            _("Approved at (Vietnam time)"), _("Confirmed at (Vietnam time)"), _("Delivered at (Vietnam time)"),
            _("Approved by the policy")]


def match_rows(filters: MatchFilters) -> Iterator[list]:
    """One row per match, oldest first, read from the database in batches."""
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
        yield [match_id, status_label(status), category(category_code), neutralised(title),
               neutralised(producer_name), province(listing_province), neutralised(distributor_name),
               province(delivery), quantity, unit_name(unit), unit_price, quantity * unit_price,
               f"{score:.3f}", csv_time(proposed), csv_time(approved), csv_time(confirmed),
               csv_time(fulfilled), yes if by_policy else no]


def unmet_header() -> list[str]:
    return [_("Province code"), _("Province"), _("Category"), _("Unit"), _("Open orders"),
            _("Open quantity"), _("Supply on offer in the province"), _("Gap (open quantity not covered)")]


def unmet_rows() -> Iterator[list]:
    """Every (province, category, unit) with open demand, from two grouped queries."""
    for gap in dashboard.gaps(dashboard.live_supply(), dashboard.open_demand()):
        if gap.orders:
            yield [gap.province, province_name(gap.province), category_label(gap.category), unit_label(gap.unit),
                   gap.orders, gap.demand, gap.supply, gap.unmet]

