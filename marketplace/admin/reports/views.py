"""The supply and demand dashboard and its CSV exports (admins only: the
blueprint's before_request in views.py refuses everyone else)."""
from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.admin import bp
from marketplace.admin.reports import exports
from marketplace.admin.reports import services as dashboard
from marketplace.admin.reports.charts import bar_chart
from marketplace.admin.reports.exports import MatchFilters
from marketplace.auth.permissions import current_account as me
from marketplace.core.validation import InvalidInput, date_range_problems
from marketplace.models import MatchStatus
from marketplace.web.formats import quantity
from marketplace.web.labels import category_label, province_name, unit_label
from marketplace.web.spreadsheets import table_response


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
    fields.update(date_range_problems(**days))
    if not fields and days["since"] and days["until"] and days["since"] > days["until"]:
        fields["until"] = _("This date is before the first one.")
    if fields:
        raise InvalidInput(fields)
    return MatchFilters(status, days["since"], days["until"])


def charts(rows, label, prefix: str, units: list[str], heading: str) -> list:
    """One chart per unit: supply against demand for every row that has that unit."""
    drawn = []
    for unit in units:
        data = [(label(row.code), row.units[unit].supply, row.units[unit].demand) for row in rows
                if unit in row.units]
        if not data:
            continue
        title = _("%(what)s, in %(unit)s", what=heading, unit=unit_label(unit))
        description = _("Horizontal bars: supply on offer and open demand for each row, in %(unit)s.",
                        unit=unit_label(unit))
        drawn.append(bar_chart(f"{prefix}-{unit}", title, description, unit, data, number=quantity))
    return drawn


@bp.get("/")
def home():
    return redirect(url_for(".dashboard"))


@bp.get("/dashboard", endpoint="dashboard")
def dashboard_page(export_errors: dict[str, str] | None = None):
    days = dashboard.requested_days(request.args.get("days", dashboard.DEFAULT_DAYS))
    board = dashboard.dashboard(days, viewer=me())
    periods = sorted({*dashboard.PERIODS, days}, key=lambda d: (d == 0, d))
    return render_template(
        "admin/dashboard.html", board=board, days=days, periods=periods,
        category_charts=charts(board.by_category, category_label, "chart-category", board.units,
                               _("Supply and demand by category")),
        province_charts=charts(board.by_province, province_name, "chart-province", board.units,
                               _("Supply and demand by province")),
        statuses=list(MatchStatus), export_errors=export_errors or {})


@bp.get("/exports/matches.<any(csv, xlsx):extension>")
def export_matches(extension: str):
    try:
        filters = parse_match_filters(request.args)
    except InvalidInput as error:
        # Shown next to the export form's fields, on the dashboard.
        return dashboard_page(export_errors=error.fields), 400
    return table_response("matches", extension, exports.match_columns(),
                          exports.match_rows(filters, viewer=me()))


@bp.get("/exports/unmet-demand.<any(csv, xlsx):extension>")
def export_unmet_demand(extension: str):
    return table_response("unmet-demand", extension, exports.unmet_columns(), exports.unmet_rows(viewer=me()))
