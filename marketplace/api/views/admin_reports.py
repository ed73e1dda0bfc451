"""/api/v1/admin/dashboard and the exports, as CSV and .xlsx (admins only)."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.admin.reports import exports
from marketplace.admin.reports import services as dashboard
from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import api_blueprint
from marketplace.api.schemas.admin_reports import DashboardQuerySchema, DashboardSchema, MatchExportQuerySchema
from marketplace.api.views.admin import admin_only
from marketplace.core.validation import InvalidInput, date_range_problems
from marketplace.web.formats import duration_in_words
from marketplace.web.labels import category_label, province_name
from marketplace.web.spreadsheets import XLSX_MIMETYPE, table_response

bp = api_blueprint("api_admin_reports", __name__, "Supply and demand figures (admins only).")

CSV_RESPONSE = {200: {"description": "CSV, UTF-8 with a byte-order mark, as an attachment: `;` between cells and "
                                     "`,` in decimals for Vietnamese (Accept-Language: vi, the default), `,` and "
                                     "`.` for English.",
                      "content": {"text/csv": {"schema": {"type": "string"}}}}}
XLSX_RESPONSE = {200: {"description": "An Excel workbook with typed cells (numbers, VND, dates in Vietnam time), "
                                      "the header in the reader's language, as an attachment.",
                       "content": {XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}}


def side_by_side(rows, name) -> list[dict]:
    return [{"code": row.code, "name": name(row.code), "listings": row.listings, "orders": row.orders,
             "quantities": [vars(q) for q in row.quantities]} for row in rows]


def as_json(board: dashboard.Dashboard) -> dict:
    fill, waits, period = board.fill, board.to_confirm, board.period
    return {
        "period": {"days": period.days, "since": period.since, "until": period.until},
        "by_category": side_by_side(board.by_category, category_label),
        "by_province": side_by_side(board.by_province, province_name),
        "balance_by_province": [{**vars(b), "name": province_name(b.province)} for b in board.balance],
        "fill_rate": {
            "definition": _("Of the orders posted in the period by distributors who are not suspended (whatever "
                            "their status now): the share of the ordered quantity that confirmed or delivered matches cover, per unit; and the share "
                            "of those orders covered in full."),
            "orders": fill.orders, "orders_filled": fill.orders_filled, "orders_share": fill.orders_share,
            "by_unit": [{"unit": u.unit, "orders": u.orders, "orders_filled": u.orders_filled,
                         "ordered": u.ordered, "filled": u.filled, "share": u.share,
                         "delivered": u.delivered, "delivered_share": u.delivered_share} for u in fill.by_unit]},
        "time_to_confirm": {"matches": waits.matches, "median_seconds": waits.median_seconds,
                            "median_text": duration_in_words(waits.median_seconds)},
        "time_to_deliver": {"matches": board.to_deliver.matches, "median_seconds": board.to_deliver.median_seconds,
                            "median_text": duration_in_words(board.to_deliver.median_seconds)},
        "moderation": {"waiting": board.moderation.waiting, "oldest_since": board.moderation.oldest_since,
                       "receipts_overdue": board.moderation.receipts_overdue},
        "recent_runs": board.runs,
    }


@bp.route("/admin/dashboard", endpoint="dashboard")
class Dashboard(MethodView):
    @token_required
    @admin_only
    @bp.arguments(DashboardQuerySchema, location="query")
    @bp.response(200, DashboardSchema)
    def get(self, args: dict):
        """Supply and demand per category and province, gaps, fill rate, time to confirm, moderation, runs

        Supply, demand and the gaps are as they stand now; `days` sets the
        period of the fill rate and the time to confirm.
        """
        return as_json(dashboard.dashboard(args["days"], viewer=current_user()))


def _match_filters(args: dict) -> exports.MatchFilters:
    filters = exports.MatchFilters(args.get("status"), args.get("since"), args.get("until"))
    problems = date_range_problems(since=filters.since, until=filters.until)
    if problems:
        raise InvalidInput(problems)
    if filters.since and filters.until and filters.since > filters.until:
        raise InvalidInput({"until": _("This date is before the first one.")})
    return filters


@bp.route("/admin/exports/matches.csv", endpoint="export_matches")
class MatchesCsv(MethodView):
    @token_required
    @admin_only
    @bp.arguments(MatchExportQuerySchema, location="query")
    @bp.doc(responses=CSV_RESPONSE)
    def get(self, args: dict):
        """Matches as CSV for Excel, oldest first (optionally by status and the day proposed)"""
        return table_response("matches", "csv", exports.match_columns(), exports.match_rows(_match_filters(args), viewer=current_user()))


@bp.route("/admin/exports/matches.xlsx", endpoint="export_matches_xlsx")
class MatchesXlsx(MethodView):
    @token_required
    @admin_only
    @bp.arguments(MatchExportQuerySchema, location="query")
    @bp.doc(responses=XLSX_RESPONSE)
    def get(self, args: dict):
        """Matches as an Excel workbook, oldest first (optionally by status and the day proposed)"""
        return table_response("matches", "xlsx", exports.match_columns(), exports.match_rows(_match_filters(args), viewer=current_user()))


@bp.route("/admin/exports/unmet-demand.csv", endpoint="export_unmet_demand")
class UnmetDemandCsv(MethodView):
    @token_required
    @admin_only
    @bp.doc(responses=CSV_RESPONSE)
    def get(self):
        """Open demand by province, category and unit against the supply on offer there, as CSV"""
        return table_response("unmet-demand", "csv", exports.unmet_columns(), exports.unmet_rows(viewer=current_user()))


@bp.route("/admin/exports/unmet-demand.xlsx", endpoint="export_unmet_demand_xlsx")
class UnmetDemandXlsx(MethodView):
    @token_required
    @admin_only
    @bp.doc(responses=XLSX_RESPONSE)
    def get(self):
        """Open demand by province, category and unit against the supply on offer there, as an Excel workbook"""
        return table_response("unmet-demand", "xlsx", exports.unmet_columns(), exports.unmet_rows(viewer=current_user()))
