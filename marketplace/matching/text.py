"""Human-readable strings for breakdowns and explanations, in English and Vietnamese.

The dataclasses carry plain values; these functions only phrase them, so a page
may also render the values with its own templates.
"""

from __future__ import annotations

from datetime import date

LOCALES = ("en", "vi")


def format_vnd(amount: int, unit: str | None = None) -> str:
    """48000 -> '48.000 ₫' (dot thousands separator, as written in Vietnam); with a unit, '48.000 ₫/kg'."""
    sign = "-" if amount < 0 else ""
    text = f"{sign}{abs(int(amount)):,}".replace(",", ".") + " ₫"
    return f"{text}/{unit}" if unit else text


def format_number(value: float, locale: str = "en", digits: int = 0) -> str:
    text = f"{value:,.{digits}f}"
    if locale == "vi":  # Vietnamese swaps the separators: 1.234,5
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_date(value: date, locale: str = "en") -> str:
    return value.strftime("%d/%m/%Y") if locale == "vi" else value.isoformat()


def _pct_range(low: float, high: float, locale: str) -> str:
    low_s, high_s = format_number(low, locale), format_number(high, locale)
    return f"{low_s} %" if low_s == high_s else f"{low_s}–{high_s} %"


def _listings(n: int, locale: str) -> str:
    if locale == "vi":
        return f"{n} tin đăng"
    return f"{n} listing" if n == 1 else f"{n} listings"


def reason_message(reason, unit: str, locale: str = "en") -> str:
    """One sentence for an explain.Reason."""
    n, vi = reason.listings, locale == "vi"
    lst = _listings(n, locale)
    code = reason.code
    if code == "no_listings":
        return "Chưa có tin đăng nào cho loại hàng này" if vi else "No listings in this category yet"
    if code == "category_unit":
        return (
            f"{lst} cùng loại hàng nhưng bán theo đơn vị khác ({reason.detail})"
            if vi
            else f"{lst} of this category {'is' if n == 1 else 'are'} sold in another unit ({reason.detail})"
        )
    if code == "price":
        span = _pct_range(reason.low, reason.high, locale)
        cheapest = format_vnd(int(reason.value), unit)
        if vi:
            return f"{lst} cao hơn giá tối đa của bạn {span} (rẻ nhất {cheapest})"
        verb = "is" if n == 1 else "are"
        return f"{lst} of this category {verb} {span} above your maximum price (cheapest {cheapest})"
    if code == "stars":
        return f"{lst} có ít sao OCOP hơn yêu cầu" if vi else f"{n} {'has' if n == 1 else 'have'} fewer stars than you require"
    if code == "certifications":
        return f"{lst} thiếu chứng nhận {reason.detail}" if vi else f"{n} {'lacks' if n == 1 else 'lack'} {reason.detail}"
    if code == "available_too_late":
        return (
            f"{lst} chỉ có hàng sau ngày bạn cần ({format_number(reason.low, locale)}–"
            f"{format_number(reason.high, locale)} ngày)"
            if vi
            else f"{n} {'is' if n == 1 else 'are'} available only {format_number(reason.low)}–"
            f"{format_number(reason.high)} days after your needed-by date"
        )
    if code == "listing_expired":
        return f"{lst} đã hết hạn bán" if vi else f"{n} {'has' if n == 1 else 'have'} expired"
    if code == "order_overdue":
        return "Ngày cần hàng của đơn đã qua" if vi else "Your needed-by date has passed"
    if code == "min_order_quantity":
        low = format_number(reason.low, locale)
        return (
            f"{lst} yêu cầu đơn tối thiểu lớn hơn số lượng của bạn (từ {low} {unit})"
            if vi
            else f"{n} {'requires' if n == 1 else 'require'} a minimum order above your quantity (from {low} {unit})"
        )
    if code == "quantity_for_unsplit":
        return (
            f"{lst} không đủ hàng cho cả đơn, mà đơn không cho phép chia"
            if vi
            else f"{n} {'has' if n == 1 else 'have'} less stock than your whole order, which may not be split"
        )
    if code == "distance":
        low = format_number(reason.low, locale)
        return f"{lst} ở xa hơn giới hạn (từ {low} km)" if vi else f"{n} {'is' if n == 1 else 'are'} beyond the distance limit (from {low} km)"
    if code == "declined_before":
        return (
            f"{lst} đã bị từ chối hoặc đã được đề xuất cho đơn này"
            if vi
            else f"{n} {'was' if n == 1 else 'were'} declined or already proposed for this order"
        )
    if code == "outcompeted":
        qty = format_number(reason.value, locale)
        return (
            f"{lst} đủ điều kiện ({qty} {unit}) nhưng đã được ghép với đơn khác"
            if vi
            else f"{n} qualifying {'listing' if n == 1 else 'listings'} ({qty} {unit}) went to other orders"
        )
    return f"{code}: {n}"


def suggestion_message(s, unit: str, locale: str = "en") -> str:
    """One sentence for an explain.Suggestion."""
    vi = locale == "vi"
    orders = (f"{s.orders} đơn đang mở" if vi else f"{s.orders} open order{'s' if s.orders != 1 else ''}")
    if s.code == "lower_price":
        price = format_vnd(s.price, unit)
        return f"Hạ giá xuống {price} để khớp {orders}" if vi else f"Lower your price to {price} to match {orders}"
    if s.code == "add_certification":
        return (
            f"Bổ sung chứng nhận {s.certification} để khớp {orders}"
            if vi
            else f"Get {s.certification} to match {orders}"
        )
    if s.code == "lower_min_order":
        q = format_number(s.min_order_quantity, locale)
        return (
            f"Giảm đơn tối thiểu xuống {q} {unit} để khớp {orders}"
            if vi
            else f"Lower your minimum order to {q} {unit} to match {orders}"
        )
    if s.code == "available_earlier":
        when = format_date(s.available_from, locale)
        return f"Có hàng trước {when} để khớp {orders}" if vi else f"Have stock ready by {when} to match {orders}"
    if s.code == "extend_availability":
        return "Gia hạn tin đăng để tiếp tục được ghép đơn" if vi else "Extend your listing's availability to be matched again"
    return f"{s.code}: {s.orders}"
