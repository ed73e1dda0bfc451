"""A match's score in the words a producer or distributor weighs a deal by,
from the breakdown the engine stored with it."""
from __future__ import annotations

from datetime import datetime, timezone

from babel.dates import format_datetime
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from marketplace.core.clock import VIETNAM
from marketplace.web.i18n import current_locale
from marketplace.web.labels import quantity
from marketplace.models import MatchStatus


def score_in_words(breakdown: dict | None, party: str | None = None) -> list[str]:
    """One short sentence per part of the score; ``party`` picks "your" or "the buyer's"."""
    if not breakdown:
        return []
    words = []
    saving = breakdown.get("price_saving_pct")
    if saving is not None:
        pct = round(saving)
        if pct <= 0:
            words.append(_("At your maximum price") if party == "distributor"
                         else _("At the buyer's maximum price"))
        elif party == "distributor":
            words.append(_("%(pct)s%% under your maximum price", pct=pct))
        else:
            words.append(_("%(pct)s%% under the buyer's maximum price", pct=pct))
    km = breakdown.get("distance_km")
    if km is not None:
        words.append(_("≈ %(km)s km from the producer to the delivery province", km=quantity(round(km))))
    stars, min_stars = breakdown.get("stars") or 0, breakdown.get("min_stars") or 0
    if min_stars:
        words.append(_("%(stars)d OCOP stars (at least %(min)d asked)", stars=stars, min=min_stars))
    elif stars:
        words.append(_("%(stars)d OCOP stars", stars=stars))
    ready = breakdown.get("ready_in_days")
    if ready:
        words.append(ngettext("Ready in %(num)d day", "Ready in %(num)d days", ready))
    elif ready is not None:
        words.append(_("Available now"))
    slack = breakdown.get("days_of_slack")
    if slack is not None:
        words.append(ngettext("%(num)d day to spare before the deadline",
                              "%(num)d days to spare before the deadline", slack))
    return words


def local_moment(value: datetime | None) -> str:
    """A stored UTC time as the clock in Hà Nội shows it."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(VIETNAM)
    if current_locale() == "vi":
        return value.strftime("%H:%M %d/%m/%Y")
    return format_datetime(value, format="d MMM yyyy, HH:mm", locale=current_locale())


MATCH_STATUS_LABELS = {
    MatchStatus.PROPOSED: _l("Waiting for approval"),
    MatchStatus.APPROVED: _l("Waiting for answers"),
    MatchStatus.CONFIRMED: _l("Confirmed"),
    MatchStatus.FULFILLED: _l("Delivered"),
    MatchStatus.REJECTED: _l("Rejected"),
    MatchStatus.DECLINED: _l("Declined"),
    MatchStatus.EXPIRED: _l("Expired"),
    MatchStatus.CANCELLED: _l("Cancelled"),
}


def match_status_label(status) -> str:
    return MATCH_STATUS_LABELS.get(status, status)
