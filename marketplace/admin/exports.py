"""CSV exports of matches and of unmet demand by province, for Excel.

UTF-8 with a byte-order mark, or Excel shows Vietnamese as mojibake. Rows
are streamed from the database (``yield_per``) and written out in chunks,
so 100,000 matches never sit in memory at once. Text that users typed
(titles, names) and that starts with = + - @ is prefixed with ' so a
spreadsheet never runs it as a formula (CSV injection).

The page (/admin/exports/...) and the API (/api/v1/admin/exports/...) both
answer with :func:`csv_response` over the same generators.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Iterator

from flask import Response, stream_with_context
from flask_babel import gettext as _

from marketplace.admin import dashboard
from marketplace.core.clock import VIETNAM, local_today
from marketplace.core.extensions import db
from marketplace.web.labels import category_label, unit_label
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Profile
from marketplace.web.formats import csv_time
from marketplace.web.labels import match_status_label, province_name
from marketplace.core.validation import InvalidInput

from sqlalchemy import select
from sqlalchemy.orm import aliased

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500
YIELD_PER = 2000


def neutralised(text: str | None) -> str:
    """User-typed text as a cell no spreadsheet evaluates."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def remembered(label):
    """``label`` looked up once per code: an export labels the same few codes 10^5 times."""
    known: dict = {}

    def lookup(code):
        if code not in known:
            known[code] = label(code)
        return known[code]
    return lookup


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The BOM and header, then the rows a few hundred at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(name: str, chunks: Iterator[str]) -> Response:
    filename = f"{name}-{local_today().isoformat()}.csv"
    return Response(stream_with_context(chunk.encode("utf-8") for chunk in chunks),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f"attachment; filename={filename}",
                        "Cache-Control": "no-store"})


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


def parse_match_filters(args) -> MatchFilters:
    """status, since and until from a query string; InvalidInput names the bad ones."""
    fields: dict[str, str] = {}
    status = None
    if args.get("status"):
        try:
            status = MatchStatus(args["status"])
        except ValueError:
            fields["status"] = _("Not a valid choice.")
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        value = args.get(name)
        try:
            days[name] = date.fromisoformat(value) if value else None
        except ValueError:
            fields[name] = _("Not a valid date value.")
    if not fields and days["since"] and days["until"] and days["since"] > days["until"]:
        fields["until"] = _("This date is before the first one.")
    if fields:
        raise InvalidInput(fields)
    return MatchFilters(status, days["since"], days["until"])


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


def matches_csv(filters: MatchFilters) -> Response:
    return csv_response("matches", csv_chunks(match_header(), match_rows(filters)))


def unmet_header() -> list[str]:
    return [_("Province code"), _("Province"), _("Category"), _("Unit"), _("Open orders"),
            _("Open quantity"), _("Supply on offer in the province"), _("Gap (open quantity not covered)")]


def unmet_rows() -> Iterator[list]:
    """Every (province, category, unit) with open demand, from two grouped queries."""
    for gap in dashboard.gaps(dashboard.live_supply(), dashboard.open_demand()):
        if gap.orders:
            yield [gap.province, province_name(gap.province), category_label(gap.category), unit_label(gap.unit),
                   gap.orders, gap.demand, gap.supply, gap.unmet]


def unmet_demand_csv() -> Response:
    return csv_response("unmet-demand", csv_chunks(unmet_header(), unmet_rows()))
