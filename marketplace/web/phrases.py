"""Sentences built from values: a match's score in words, why an order is
unmatched and what would sell a listing (from the engine's codes and
values), quantities of several units side by side, a period. Every word is
in the catalogue; the engine itself writes none."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from marketplace.web.formats import format_day, format_vnd, number, percent, quantity
from marketplace.web.labels import certification_label, unit_label


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
    reliability = breakdown.get("reliability_part")
    if reliability is not None and reliability != 0.5:
        words.append(_("Producer's track record: %(pct)s", pct=percent(reliability)))
    return words


def record_in_words(record) -> str:
    """A producer's or distributor's track record in a line: "4,8★ from 23 deals, 96 % on time"."""
    if not record.rating_count and not record.deals_fulfilled:
        return _("No deals yet")
    parts = []
    if record.rating_count:
        parts.append(ngettext("%(stars)s★ from %(num)d rating", "%(stars)s★ from %(num)d ratings",
                              record.rating_count, stars=number(record.rating_average, 1)))
    parts.append(ngettext("%(num)d deal delivered", "%(num)d deals delivered", record.deals_fulfilled))
    if record.on_time_rate is not None:
        parts.append(_("%(pct)s on time", pct=percent(record.on_time_rate)))
    return ", ".join(parts)


def _span(low: float, high: float) -> str:
    low_text, high_text = number(low), number(high)
    return low_text if low_text == high_text else f"{low_text}–{high_text}"


def reason_in_words(reason, unit: str) -> str:
    """One sentence for an engine ``Reason`` (matching.explain): what kept
    ``reason.listings`` listings away from an order sold in ``unit``."""
    n, code = reason.listings, reason.code
    if code == "no_listings":
        return _("No listings in this category yet")
    if code == "category_unit":
        return ngettext("%(num)d listing of this category is sold in another unit (%(unit)s)",
                        "%(num)d listings of this category are sold in another unit (%(unit)s)", n,
                        unit=reason.detail)
    if code == "price":
        return ngettext("%(num)d listing of this category is %(span)s %% above your maximum price "
                        "(cheapest %(cheapest)s)",
                        "%(num)d listings of this category are %(span)s %% above your maximum price "
                        "(cheapest %(cheapest)s)", n,
                        span=_span(reason.low, reason.high), cheapest=format_vnd(int(reason.value), unit))
    if code == "stars":
        return ngettext("%(num)d has fewer stars than you require", "%(num)d have fewer stars than you require", n)
    if code == "certifications":
        return ngettext("%(num)d lacks %(certification)s", "%(num)d lack %(certification)s", n,
                        certification=certification_label(reason.detail))
    if code == "available_too_late":
        return ngettext("%(num)d is available only %(low)s–%(high)s days after your needed-by date",
                        "%(num)d are available only %(low)s–%(high)s days after your needed-by date", n,
                        low=number(reason.low), high=number(reason.high))
    if code == "listing_expired":
        return ngettext("%(num)d has expired", "%(num)d have expired", n)
    if code == "order_overdue":
        return _("Your needed-by date has passed")
    if code == "min_order_quantity":
        return ngettext("%(num)d requires a minimum order above your quantity (from %(low)s %(unit)s)",
                        "%(num)d require a minimum order above your quantity (from %(low)s %(unit)s)", n,
                        low=number(reason.low), unit=unit)
    if code == "quantity_for_unsplit":
        return ngettext("%(num)d has less stock than your whole order, which may not be split",
                        "%(num)d have less stock than your whole order, which may not be split", n)
    if code == "distance":
        return ngettext("%(num)d is beyond the distance limit (from %(low)s km)",
                        "%(num)d are beyond the distance limit (from %(low)s km)", n, low=number(reason.low))
    if code == "declined_before":
        return ngettext("%(num)d was declined or already proposed for this order",
                        "%(num)d were declined or already proposed for this order", n)
    if code == "outcompeted":
        return ngettext("%(num)d qualifying listing (%(quantity)s %(unit)s) went to other orders",
                        "%(num)d qualifying listings (%(quantity)s %(unit)s) went to other orders", n,
                        quantity=number(reason.value), unit=unit)
    return f"{code}: {n}"


def explanation_in_words(explanation) -> list[str]:
    """Every reason of an engine ``UnmatchedExplanation``, in the reader's language."""
    return [reason_in_words(reason, explanation.unit) for reason in explanation.reasons]


def suggestion_in_words(suggestion, unit: str) -> str:
    """One sentence for an engine ``Suggestion``: a change to a listing sold in
    ``unit`` and the open orders it would match."""
    n, code = suggestion.orders, suggestion.code
    if code == "lower_price":
        return ngettext("Lower your price to %(price)s to match %(num)d open order",
                        "Lower your price to %(price)s to match %(num)d open orders", n,
                        price=format_vnd(suggestion.price, unit))
    if code == "add_certification":
        return ngettext("Get %(certification)s to match %(num)d open order",
                        "Get %(certification)s to match %(num)d open orders", n,
                        certification=certification_label(suggestion.certification))
    if code == "lower_min_order":
        return ngettext("Lower your minimum order to %(quantity)s %(unit)s to match %(num)d open order",
                        "Lower your minimum order to %(quantity)s %(unit)s to match %(num)d open orders", n,
                        quantity=number(suggestion.min_order_quantity), unit=unit)
    if code == "available_earlier":
        return ngettext("Have stock ready by %(day)s to match %(num)d open order",
                        "Have stock ready by %(day)s to match %(num)d open orders", n,
                        day=format_day(suggestion.available_from))
    if code == "extend_availability":
        return _("Extend your listing's availability to be matched again")
    return f"{code}: {n}"


def in_units(figures, attribute: str) -> str:
    """Quantities of several units side by side, never added: "1.200 kg · 300 lít"."""
    written = [f"{quantity(getattr(f, attribute))} {unit_label(f.unit)}" for f in figures
               if getattr(f, attribute)]
    return " · ".join(written) or "0"


def period_label(days: int) -> str:
    return _("All time") if not days else ngettext("Last %(num)d day", "Last %(num)d days", days)
