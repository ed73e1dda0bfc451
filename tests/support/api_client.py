"""A JSON API client for tests: English messages, an optional bearer token,
and tokens issued straight through the service (no rate limit in the way)."""
from __future__ import annotations

from marketplace.auth.tokens import create_token

API = "/api/v1"


def issue_token(user, name: str = "tests") -> str:
    return create_token(user, name).secret


class ApiClient:
    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def as_(self, token: str | None) -> ApiClient:
        return ApiClient(self.client, token)

    def call(self, method: str, path: str, **kwargs):
        headers = {"Accept-Language": "en", **kwargs.pop("headers", {})}
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(API + path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("DELETE", path, **kwargs)


def error_of(response) -> dict:
    """The body of an API error, checked against the one error shape."""
    assert response.is_json, response.get_data(as_text=True)[:200]
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert all(isinstance(v, str) for v in body["error"]["fields"].values())
    return body["error"]


def listing_body(**changes) -> dict:
    body = {"title": "Nước mắm Phú Quốc 40 độ đạm", "description": "Ủ chượp 12 tháng.",
            "category": "food.fish_sauce", "unit": "bottle", "quantity": 500, "min_order_quantity": 24,
            "unit_price": 95000, "province": "Kiên Giang", "stars": 4,
            "certifications": ["haccp", {"code": "ocop", "number": "OCOP-KG-12", "expires_on": "2030-06-30"}],
            "traceability_code": "TXNG-0001", "raw_material_area_code": "VT-KG-07"}
    body.update(changes)
    return body


def order_body(**changes) -> dict:
    body = {"title": "Cần mua gạo ST25 cho chuỗi cửa hàng", "description": "Giao theo tuần.",
            "category": "food.rice", "unit": "tan", "quantity": 3, "max_unit_price": 35_000_000,
            "delivery_province": "Sài Gòn", "needed_by": "2099-12-31", "min_stars": 3,
            "required_certifications": ["vietgap"], "allow_split": True}
    body.update(changes)
    return body
