"""Every format a reader sees: money, quantities, days, moments, durations,
percentages and the times written into spreadsheets, in the reader's
locale (Vietnamese writes 1.250,5; English 1,250.5)."""
from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import ngettext

from marketplace.core.clock import VIETNAM
from marketplace.web.i18n import current_locale


def format_vnd(amount: int | None, unit: str | None = None) -> str:
    """``1250000`` -> ``1.250.000 ₫``: dots between thousands, the dong sign
    after. Dong have no subunit, so there are never decimals. With a unit
    (already in words): ``48.000 ₫/kg``."""
    if amount is None:
        return ""
    text = f"{format_decimal(int(amount), format='#,##0', locale='vi')} ₫"
    return f"{text}/{unit}" if unit else text


def quantity(value: int | None) -> str:
    """2000 -> "2.000" in Vietnamese, "2,000" in English."""
    return "" if value is None else format_decimal(int(value), format="#,##0", locale=current_locale())


def number(value: float | None, digits: int = 0) -> str:
    """A figure rounded to ``digits`` decimals, with the locale's separators."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_locale())


def decimal(value) -> str:
    """A figure with up to six decimals, none when whole: 1,5 in Vietnamese, 1.5 in English."""
    return "" if value is None else format_decimal(value, format="#,##0.######", locale=current_locale())


def format_day(value: date | datetime | None, locale: str | None = None) -> str:
    """dd/mm/yyyy in Vietnamese; a short month name in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    locale = locale or current_locale()
    if locale == "vi":
        return value.strftime("%d/%m/%Y")
    return format_date(value, format="d MMM yyyy", locale=locale)


def local_moment(value: datetime | None) -> str:
    """A stored UTC time as the clock in Hà Nội shows it."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(VIETNAM)
    if current_locale() == "vi":
        return value.strftime("%H:%M %d/%m/%Y")
    return format_datetime(value, format="d MMM yyyy, HH:mm", locale=current_locale())


def csv_time(value: datetime | None) -> str:
    """A stored UTC time as Hà Nội's clock shows it, in a form Excel reads as a date."""
    return value.astimezone(VIETNAM).isoformat(sep=" ", timespec="seconds")[:19] if value else ""


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


def seconds(value: float | None) -> str:
    """A machine's run time, to the hundredth: "0,03 giây", "0.03 s"."""
    if value is None:
        return "–"
    return _("%(seconds)s s", seconds=number(value, 2))


def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, format="#,##0.0%", locale=current_locale())


def zalo_url(phone: str | None) -> str | None:
    """Zalo's chat link for a Vietnamese number: 0912345678 -> https://zalo.me/84912345678."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return f"https://zalo.me/{digits}" if len(digits) >= 10 else None
