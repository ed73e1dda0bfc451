"""The supply and demand dashboard and its CSV exports (admins only: the
blueprint's before_request in views.py refuses everyone else)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.admin import bp, dashboard, exports
from marketplace.admin.charts import bar_chart
from marketplace.web.formats import quantity
from marketplace.web.labels import category_label, province_name, unit_label
from marketplace.models import MatchStatus
from marketplace.core.validation import InvalidInput


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
    board = dashboard.dashboard(days)
    periods = sorted({*dashboard.PERIODS, days}, key=lambda d: (d == 0, d))
    return render_template(
        "admin/dashboard.html", board=board, days=days, periods=periods,
        category_charts=charts(board.by_category, category_label, "chart-category", board.units,
                               _("Supply and demand by category")),
        province_charts=charts(board.by_province, province_name, "chart-province", board.units,
                               _("Supply and demand by province")),
        statuses=list(MatchStatus), export_errors=export_errors or {})


@bp.get("/exports/matches.csv")
def export_matches():
    try:
        filters = exports.parse_match_filters(request.args)
    except InvalidInput as error:
        # Shown next to the export form's fields, on the dashboard.
        return dashboard_page(export_errors=error.fields), 400
    return exports.matches_csv(filters)


@bp.get("/exports/unmet-demand.csv")
def export_unmet_demand():
    return exports.unmet_demand_csv()
