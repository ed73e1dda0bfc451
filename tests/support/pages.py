"""Helpers for the listing and order page tests: the forms as a browser
posts them, and the messages shown next to each field."""
from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from marketplace.core.clock import local_today

TODAY = local_today()


class _FieldErrors(HTMLParser):
    """The error messages shown inside the form field (div or fieldset of
    class "field") that holds the input called ``name``."""

    def __init__(self, name: str):
        super().__init__()
        self.name, self.open, self.found = name, [], []
        self._error = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("div", "fieldset"):
            self.open.append({"field": "field" in (attrs.get("class") or "").split(), "names": set(),
                              "errors": []})
        elif tag in ("input", "select", "textarea") and attrs.get("name"):
            for box in self.open:
                box["names"].add(attrs["name"])
        elif tag == "p" and "error" in (attrs.get("class") or "").split():
            self._error = []

    def handle_data(self, data):
        if self._error is not None:
            self._error.append(data)

    def handle_endtag(self, tag):
        if tag == "p" and self._error is not None:
            text = "".join(self._error).strip()
            for box in self.open:
                box["errors"].append(text)
            self._error = None
        elif tag in ("div", "fieldset") and self.open:
            box = self.open.pop()
            if box["field"] and self.name in box["names"]:
                self.found.extend(box["errors"])


def errors_next_to(html: str, name: str) -> list[str]:
    parser = _FieldErrors(name)
    parser.feed(html)
    return parser.found


def listing_form(**changes) -> dict:
    data = {
        "title": "Nước mắm Phú Quốc 40 độ đạm", "description": "Cá cơm ủ chượp 12 tháng.",
        "category": "food.fish_sauce", "unit": "l", "quantity": "500", "min_order_quantity": "20",
        "unit_price": "120.000", "available_from": "", "available_until": "", "stars": "4",
        "certifications": ["haccp"], "number_haccp": "HACCP-PQ-01",
        "expires_haccp": (TODAY + timedelta(days=365)).isoformat(),
        "traceability_code": "PQ-2026-01", "raw_material_area_code": "", "province": "Kiên Giang",
        "action": "publish",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def order_form(**changes) -> dict:
    data = {
        "title": "Cần mua nước mắm cho chuỗi siêu thị", "description": "Giao hàng tháng 12.",
        "category": "food.fish_sauce", "unit": "crate_24", "quantity": "50", "max_unit_price": "2.400.000",
        "needed_by": (TODAY + timedelta(days=30)).isoformat(), "delivery_province": "Bình Dương",
        "min_stars": "3", "required_certifications": ["haccp", "ocop"], "allow_split": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(auth, path, data):
    return auth.client.post(path, data={**data, "csrf_token": auth.csrf("/")})
