"""GET /api/v1/admin/dashboard and the CSV exports over the API: the same
figures as the page, for admins only."""
from __future__ import annotations

import csv
import io

import pytest

from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import UserFactory
from tests.unit.admin.test_dashboard import DAY, build_world

PATHS = ("/admin/dashboard", "/admin/exports/matches.csv", "/admin/exports/unmet-demand.csv",
         "/admin/exports/matches.xlsx", "/admin/exports/unmet-demand.xlsx")


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def api(client, admin):
    return ApiClient(client, issue_token(admin))


def test_supply_and_demand_per_category_and_province(api, world):
    body = api.get("/admin/dashboard").get_json()
    assert body["by_category"] == [
        {"code": "food.honey", "name": "Honey and bee products", "listings": 2, "orders": 1,
         "quantities": [{"unit": "l", "supply": 400, "demand": 100}]},
        {"code": "food.rice", "name": "Rice and grains", "listings": 2, "orders": 2,
         "quantities": [{"unit": "kg", "supply": 900, "demand": 3100}]},
    ]
    assert body["by_province"] == [
        {"code": "can-tho", "name": "Cần Thơ", "listings": 1, "orders": 1,
         "quantities": [{"unit": "kg", "supply": 900, "demand": 2400}]},
        {"code": "ha-noi", "name": "Hà Nội", "listings": 3, "orders": 1,
         "quantities": [{"unit": "kg", "supply": 0, "demand": 0}, {"unit": "l", "supply": 400, "demand": 100}]},
        {"code": "ho-chi-minh", "name": "Hồ Chí Minh", "listings": 0, "orders": 1,
         "quantities": [{"unit": "kg", "supply": 0, "demand": 700}]},
    ]


def test_unmet_demand_and_surplus(api, world):
    assert api.get("/admin/dashboard").get_json()["balance_by_province"] == [
        {"province": "can-tho", "name": "Cần Thơ", "unit": "kg", "demand": 2400, "supply": 900, "unmet": 1500,
         "surplus": 0},
        {"province": "ha-noi", "name": "Hà Nội", "unit": "kg", "demand": 0, "supply": 0, "unmet": 0, "surplus": 0},
        {"province": "ha-noi", "name": "Hà Nội", "unit": "l", "demand": 100, "supply": 400, "unmet": 0,
         "surplus": 300},
        {"province": "ho-chi-minh", "name": "Hồ Chí Minh", "unit": "kg", "demand": 700, "supply": 0, "unmet": 700,
         "surplus": 0},
    ]


def test_fill_rate_and_time_to_confirm_over_the_period(api, world):
    body = api.get("/admin/dashboard").get_json()
    assert body["period"]["days"] == 30
    fill = body["fill_rate"]
    assert (fill["orders"], fill["orders_filled"], fill["orders_share"]) == (5, 1, 0.2)
    assert fill["by_unit"] == [
        {"unit": "kg", "orders": 4, "orders_filled": 1, "ordered": 4600, "filled": 1000, "share": 1000 / 4600,
         "delivered": 600, "delivered_share": 600 / 4600},
        {"unit": "l", "orders": 1, "orders_filled": 0, "ordered": 300, "filled": 150, "share": 0.5,
         "delivered": 0, "delivered_share": 0.0},
    ]
    assert fill["definition"].startswith("Of the orders posted in the period")
    assert body["time_to_confirm"] == {"matches": 3, "median_seconds": pytest.approx(2 * DAY, abs=1),
                                       "median_text": "2 days"}
    assert body["time_to_deliver"] == {"matches": 1, "median_seconds": pytest.approx(4 * DAY, abs=1),
                                       "median_text": "4 days"}

    everything = api.get("/admin/dashboard?days=0").get_json()
    assert everything["period"]["days"] == 0 and everything["period"]["since"] is None
    assert (everything["fill_rate"]["orders"], everything["fill_rate"]["orders_filled"]) == (6, 2)
    assert everything["time_to_confirm"]["matches"] == 4
    assert everything["time_to_confirm"]["median_seconds"] == pytest.approx(2.5 * DAY, abs=1)

    week = api.get("/admin/dashboard?days=7").get_json()
    # Posted in the last 7 days: O3 (5 days), O5 (3), O7 (1); confirmed: M2 (5 days ago), M4 (3).
    assert [(u["unit"], u["orders"], u["ordered"], u["filled"]) for u in week["fill_rate"]["by_unit"]] == \
        [("kg", 2, 1200, 0), ("l", 1, 300, 150)]
    assert week["time_to_confirm"]["matches"] == 2
    assert week["time_to_confirm"]["median_seconds"] == pytest.approx(2.5 * DAY, abs=1)


def test_moderation_and_runs(api, world):
    body = api.get("/admin/dashboard").get_json()
    assert body["moderation"]["waiting"] == 1
    assert body["moderation"]["oldest_since"].startswith(world.matches["M3"].created_at.isoformat()[:19])
    assert body["recent_runs"] == []


def test_a_bad_period_is_refused(api):
    response = api.get("/admin/dashboard?days=-1")
    assert response.status_code == 422 and "days" in error_of(response)["fields"]


def test_csv_exports_over_the_api_speak_vietnamese(api, world):
    response = api.get("/admin/exports/unmet-demand.csv", headers={"Accept-Language": "vi"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    # Excel set to Vietnamese reads ";" between cells.
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1] == ["can-tho", "Cần Thơ", "Gạo và ngũ cốc", "kg", "1", "2400", "900", "1500"]
    assert rows[2][3] == "lít"
    matches = api.get("/admin/exports/matches.csv?status=fulfilled", headers={"Accept-Language": "en"})
    assert matches.headers["Content-Disposition"].startswith("attachment; filename=matches-")
    rows = list(csv.reader(io.StringIO(matches.get_data().decode("utf-8-sig"), newline="")))
    assert [int(r[0]) for r in rows[1:]] == [world.matches["M2"].id]


def test_export_filters_are_checked(api):
    assert error_of(api.get("/admin/exports/matches.csv?status=bogus"))["fields"] == {
        "status": "Not a valid choice."}
    backwards = api.get("/admin/exports/matches.csv?since=2026-05-02&until=2026-05-01")
    assert backwards.status_code == 422 and "until" in error_of(backwards)["fields"]


@pytest.mark.parametrize("path", PATHS)
def test_only_admins(client, path):
    assert error_of(ApiClient(client).get(path))["code"] == "unauthorized"
    for role in (Role.PRODUCER, Role.DISTRIBUTOR):
        refused = ApiClient(client, issue_token(UserFactory(role=role))).get(path)
        assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"


def test_the_document_describes_the_reports(api):
    spec = api.get("/openapi.json").get_json()
    assert "days" in {p["name"] for p in spec["paths"]["/api/v1/admin/dashboard"]["get"]["parameters"]}
    csv_get = spec["paths"]["/api/v1/admin/exports/matches.csv"]["get"]
    assert "text/csv" in csv_get["responses"]["200"]["content"]
    assert csv_get["security"] == [{"bearerAuth": []}]


def test_the_xlsx_twins_of_the_exports(api, world):
    from openpyxl import load_workbook

    response = api.get("/admin/exports/matches.xlsx?status=fulfilled")
    assert response.status_code == 200 and response.headers["Content-Disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [world.matches["M2"].id]
    assert api.get("/admin/exports/unmet-demand.xlsx").status_code == 200
    spec = api.get("/openapi.json").get_json()
    assert "/api/v1/admin/exports/matches.xlsx" in spec["paths"]
