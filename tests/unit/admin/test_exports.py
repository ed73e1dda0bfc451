"""CSV exports from the admin pages: Excel-ready bytes, exact rows, filters,
and no formula smuggled in through a title or a name."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.models import Match
from marketplace.web import spreadsheets
from marketplace.web.spreadsheets import neutralised
from tests.unit.admin.test_dashboard import build_world

BOM = b"\xef\xbb\xbf"
MATCH_HEADER = ["Match ID", "Status", "Category", "Listing title", "Producer", "Producer province", "Distributor",
                "Delivery province", "Quantity", "Unit", "Unit price (VND)", "Total (VND)", "Score",
                "Proposed at (Vietnam time)", "Approved at (Vietnam time)", "Confirmed at (Vietnam time)",
                "Delivered at (Vietnam time)", "Approved by the policy"]
UNMET_HEADER = ["Province code", "Province", "Category", "Unit", "Open orders", "Open quantity",
                "Supply on offer in the province", "Gap (open quantity not covered)"]


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def signed_in(auth, admin):
    auth.login(admin.email)


def vietnam(moment) -> str:
    """Hà Nội is UTC+7 all year round."""
    return (moment.replace(tzinfo=None) + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data()
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_matches_export_is_an_excel_ready_attachment(client, signed_in, world):
    response = client.get("/admin/exports/matches.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=matches-{local_today().isoformat()}.csv"
    assert response.is_streamed
    rows = rows_of(response)
    assert rows[0] == MATCH_HEADER
    assert [int(r[0]) for r in rows[1:]] == sorted(m.id for m in world.matches.values())


def test_a_match_row_holds_the_data_as_stored(client, signed_in, world):
    delivered = db.session.get(Match, world.matches["M2"].id)
    rows = {r[0]: r for r in rows_of(client.get("/admin/exports/matches.csv"))[1:]}
    assert rows[str(delivered.id)] == [
        str(delivered.id), "Delivered", "Rice and grains", "Gạo ST25 Cần Thơ", "HTX Gạo Cần Thơ", "Cần Thơ",
        "Công ty Phân phối Sài Gòn", "Cần Thơ", "600", "kg", "32000", "19200000", "0.610",
        vietnam(delivered.created_at), vietnam(delivered.approved_at), vietnam(delivered.confirmed_at),
        vietnam(delivered.fulfilled_at), "yes"]
    proposed = rows[str(world.matches["M3"].id)]
    assert proposed[1] == "Under review" and proposed[14:17] == ["", "", ""] and proposed[17] == "no"


def test_formulas_typed_by_users_are_neutralised(client, signed_in, world):
    rows = {r[0]: r for r in rows_of(client.get("/admin/exports/matches.csv"))[1:]}
    honey = rows[str(world.matches["M4"].id)]
    assert honey[3] == "'=SUM(A1:A2) Mật ong rừng"
    assert honey[4] == "'@Tổ hợp Ong Ba Vì"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row)


@pytest.mark.parametrize("text, cell", [("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-5", "'-5"),
                                        ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("Gạo -5%", "Gạo -5%"),
                                        ("", ""), (None, "")])
def test_neutralised(text, cell):
    assert neutralised(text) == cell


def test_matches_filtered_by_status_and_day_proposed(client, signed_in, world):
    m = world.matches
    confirmed = rows_of(client.get("/admin/exports/matches.csv?status=confirmed"))
    assert [int(r[0]) for r in confirmed[1:]] == [m["M1"].id, m["M4"].id, m["M5"].id]
    since = (local_today() - timedelta(days=30)).isoformat()
    recent = rows_of(client.get(f"/admin/exports/matches.csv?since={since}"))
    assert [int(r[0]) for r in recent[1:]] == [m[k].id for k in ("M1", "M2", "M3", "M4")]
    until = (local_today() - timedelta(days=40)).isoformat()
    old = rows_of(client.get(f"/admin/exports/matches.csv?until={until}"))
    assert [int(r[0]) for r in old[1:]] == [m["M5"].id]


def test_bad_filters_are_shown_on_the_dashboard(client, signed_in, world):
    response = client.get("/admin/exports/matches.csv?status=bogus&since=2026-13-01")
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Not a valid choice." in page and "Not a valid date value." in page
    backwards = client.get("/admin/exports/matches.csv?since=2026-05-02&until=2026-05-01")
    assert backwards.status_code == 400
    assert "This date is before the first one." in backwards.get_data(as_text=True)


def test_rows_are_written_out_in_chunks(client, signed_in, world, monkeypatch):
    monkeypatch.setattr(spreadsheets, "CHUNK_ROWS", 2)
    response = client.get("/admin/exports/matches.csv")
    chunks = list(response.response)
    assert len(chunks) == 3                      # rows 1-2, rows 3-4, row 5
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 6


def test_unmet_demand_by_province(client, signed_in, world):
    response = client.get("/admin/exports/unmet-demand.csv")
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=unmet-demand-{local_today().isoformat()}.csv"
    assert rows_of(response) == [
        UNMET_HEADER,
        ["can-tho", "Cần Thơ", "Rice and grains", "kg", "1", "2400", "900", "1500"],
        ["ha-noi", "Hà Nội", "Honey and bee products", "litre", "1", "100", "400", "0"],
        ["ho-chi-minh", "Hồ Chí Minh", "Rice and grains", "kg", "1", "700", "0", "700"],
    ]


def test_an_empty_export_is_just_the_header(client, signed_in):
    assert rows_of(client.get("/admin/exports/unmet-demand.csv")) == [UNMET_HEADER]
    assert rows_of(client.get("/admin/exports/matches.csv")) == [MATCH_HEADER]


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=False).active
    return sheet


def test_the_xlsx_export_has_typed_cells_and_the_same_rows(client, signed_in, world):
    delivered = db.session.get(Match, world.matches["M2"].id)
    response = client.get("/admin/exports/matches.xlsx")
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=matches-{local_today().isoformat()}.xlsx"
    sheet = workbook_rows(response)
    assert [cell.value for cell in sheet[1]] == MATCH_HEADER
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == delivered.id)
    assert [c.value for c in row[:12]] == [
        delivered.id, "Delivered", "Rice and grains", "Gạo ST25 Cần Thơ", "HTX Gạo Cần Thơ", "Cần Thơ",
        "Công ty Phân phối Sài Gòn", "Cần Thơ", 600, "kg", 32000, 19200000]
    assert row[10].number_format == '#,##0 "₫"' and row[12].value == pytest.approx(0.61)
    proposed_at = row[13].value
    assert isinstance(proposed_at, datetime) and proposed_at.strftime("%Y-%m-%d %H:%M:%S") == \
        vietnam(delivered.created_at)
    assert sheet.max_row == len(world.matches) + 1


def test_the_xlsx_export_keeps_a_typed_formula_as_text(client, signed_in, world):
    sheet = workbook_rows(client.get("/admin/exports/matches.xlsx"))
    honey = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == world.matches["M4"].id)
    assert honey[3].value == "=SUM(A1:A2) Mật ong rừng" and honey[3].data_type == "s"


def test_csv_for_a_vietnamese_reader_uses_semicolons_and_decimal_commas(client, signed_in, world, admin):
    admin.locale = "vi"
    db.session.commit()
    body = client.get("/admin/exports/matches.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    delivered = next(r for r in rows if r[0] == str(world.matches["M2"].id))
    assert delivered[8:13] == ["600", "kg", "32000", "19200000", "0,610"]
    assert rows[0][0] == "Mã ghép nối"


def test_the_unmet_demand_workbook(client, signed_in, world):
    sheet = workbook_rows(client.get("/admin/exports/unmet-demand.xlsx"))
    assert [[c.value for c in r] for r in sheet.iter_rows()][1] == \
        ["can-tho", "Cần Thơ", "Rice and grains", "kg", 1, 2400, 900, 1500]
