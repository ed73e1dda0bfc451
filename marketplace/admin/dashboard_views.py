"""The supply and demand dashboard and its CSV exports (admins only: the
blueprint's before_request in views.py refuses everyone else)."""
from __future__ import annotations

from babel.numbers import format_percent
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from marketplace.admin import bp, dashboard, exports
from marketplace.admin.charts import bar_chart
from marketplace.web.i18n import current_locale
from marketplace.web.labels import category_label, quantity, unit_label
from marketplace.matches.wording import match_status_label
from marketplace.models import MatchStatus
from marketplace.web.templating import province_name
from marketplace.core.validation import InvalidInput


def duration_in_words(seconds: float | None) -> str:
    """3 days 4 hours, 5 hours 20 minutes, 12 minutes: the two largest parts, to the minute."""
    if seconds is None:
        return ""
    minutes_total = int(round(seconds / 60))
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if minutes and not days:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    return " ".join(parts[:2]) if parts else _("less than a minute")


def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, format="#,##0.0%", locale=current_locale())


def in_units(figures, attribute: str) -> str:
    """Quantities of several units side by side, never added: "1.200 kg · 300 lít"."""
    written = [f"{quantity(getattr(f, attribute))} {unit_label(f.unit)}" for f in figures
               if getattr(f, attribute)]
    return " · ".join(written) or "0"


def period_label(days: int) -> str:
    return _("All time") if not days else ngettext("Last %(num)d day", "Last %(num)d days", days)


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
        "admin/dashboard.html", board=board, days=days, periods=periods, period_label=period_label,
        category_charts=charts(board.by_category, category_label, "chart-category", board.units,
                               _("Supply and demand by category")),
        province_charts=charts(board.by_province, province_name, "chart-province", board.units,
                               _("Supply and demand by province")),
        in_units=in_units, percent=percent, duration_in_words=duration_in_words,
        statuses=list(MatchStatus), match_status_label=match_status_label, export_errors=export_errors or {})


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
