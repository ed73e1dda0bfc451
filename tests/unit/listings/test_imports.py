"""Listings from a spreadsheet, on the producer's page: the template in each
language, every row checked as on the form, all stored or none."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage
from marketplace.models import Listing
from tests.support.auth import csrf
from tests.support.sheets import csv_bytes, upload, xlsx_bytes

HEADER_EN = ["Title", "Category", "Unit", "Quantity for sale", "Minimum order", "Price per unit (VND)",
             "Province or city", "Certifications", "Available until"]
UNTIL = local_today() + timedelta(days=60)


def good_rows():
    return [
        HEADER_EN,
        ["Gạo ST25 lô 7", "food.rice", "tan", 1.5, 0.5, 30_000_000, "Sóc Trăng", "VietGAP", UNTIL],
        ["Nước mắm 40 độ đạm", "Nước mắm", "lít", "2.000", 20, "120.000", "Kiên Giang", "HACCP; OCOP", ""],
        ["Chè Tân Cương", "beverages.tea", "kg", 300, 5, 450_000, "Thái Nguyên", "", UNTIL.strftime("%d/%m/%Y")],
    ]


@pytest.fixture
def signed_in(auth, client, producer):
    auth.login(producer.email)
    return client


def send(client, data: bytes, name="listings.xlsx", check_only=False):
    form = {"csrf_token": csrf(client, "/listings/import"), "file": upload(data, name)}
    if check_only:
        form["check_only"] = "y"
    return client.post("/listings/import", data=form, content_type="multipart/form-data")


def count():
    return db.session.scalar(select(func.count(Listing.id)))


def test_a_good_file_creates_every_row_in_base_units_and_asks_one_run_per_category(signed_in):
    response = send(signed_in, xlsx_bytes(good_rows()))
    assert response.status_code == 302 and response.location.endswith("/listings/mine")
    listings = {l.title: l for l in db.session.scalars(select(Listing))}
    rice = listings["Gạo ST25 lô 7"]
    assert (rice.unit, rice.quantity, rice.min_order_quantity, rice.unit_price, rice.province_code) == \
        ("kg", 1500, 500, 30_000, "can-tho")
    assert rice.available_until == UNTIL and [c.code for c in rice.certifications] == ["vietgap"]
    sauce = listings["Nước mắm 40 độ đạm"]
    assert (sauce.category, sauce.unit, sauce.quantity, sauce.unit_price) == ("food.fish_sauce", "l", 2000, 120_000)
    assert sorted(c.code for c in sauce.certifications) == ["haccp", "ocop"]
    assert listings["Chè Tân Cương"].available_until == UNTIL
    runs = db.session.scalars(select(OutboxMessage.dedupe_key)).all()
    assert sorted(runs) == ["match-category:beverages.tea", "match-category:food.fish_sauce",
                            "match-category:food.rice"]
    assert "3 listings are on sale, from your file." in signed_in.get("/listings/mine").get_data(as_text=True)


def test_one_bad_row_stores_nothing_and_every_problem_is_named_by_its_row(signed_in):
    rows = good_rows()
    rows[2][3] = "nhiều"                      # row 3: not a number
    rows[3][6] = "Atlantis"                   # row 4: unknown province
    rows.append(["", "food.rice", "kg", 10, 1, 20_000, "Cần Thơ", "", ""])   # row 5: no title
    response = send(signed_in, xlsx_bytes(rows))
    assert response.status_code == 400 and count() == 0
    page = response.get_data(as_text=True)
    assert "Nothing was stored: fix these rows, then upload the file again." in page
    assert "Row 3 · <strong>Quantity for sale</strong>: Enter a number, e.g. 2000 or 1,5." in page
    assert "Row 4 · <strong>Province or city</strong>: Unknown province." in page
    assert "Row 5 · <strong>Title</strong>: This field is required." in page
    assert "Row 2" not in page
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_check_only_stores_nothing_even_when_every_row_is_good(signed_in):
    response = send(signed_in, xlsx_bytes(good_rows()), check_only=True)
    assert response.status_code == 200 and count() == 0
    assert "All 3 rows are correct; nothing was stored (check only)." in response.get_data(as_text=True)


def test_a_vietnamese_csv_with_semicolons_and_vietnamese_headers(signed_in):
    header = ["Tên sản phẩm", "ngành hàng", "Don vi", "Số lượng bán", "Đặt tối thiểu", "Giá mỗi đơn vị (VNĐ)",
              "Tỉnh / thành phố"]   # letter case and diacritics aside
    rows = [header, ["Mật ong rừng", "food.honey", "l", "1.200", "1", "350.000", "Tuyên Quang"]]
    response = send(signed_in, csv_bytes(rows, delimiter=";"), name="mat-ong.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalars(select(Listing.quantity)).one() == 1200


@pytest.mark.parametrize("data, name, message", [
    (b"", "empty.xlsx", "Choose a file to upload."),
    (b"%PDF-1.4 not a sheet", "photo.pdf", "Upload an Excel file (.xlsx) or a CSV file."),
    (b"PK\x03\x04broken", "broken.xlsx", "This file cannot be read as an Excel workbook (.xlsx)."),
    (csv_bytes([["Title", "Colour"], ["x", "red"]]), "odd.csv", "Unknown columns: Colour."),
    (csv_bytes([["Title"], ["x"]]), "short.csv", "Missing columns:"),
])
def test_a_file_that_is_no_listing_sheet_is_refused_next_to_the_file_field(signed_in, data, name, message):
    response = send(signed_in, data, name)
    assert response.status_code == 400 and count() == 0
    assert message in response.get_data(as_text=True)


def test_more_than_2000_rows_are_refused(signed_in):
    rows = [HEADER_EN] + [[f"Gạo {n}", "food.rice", "kg", 10, 1, 20_000, "Cần Thơ", "", ""] for n in range(2001)]
    response = send(signed_in, csv_bytes(rows), name="big.csv")
    assert response.status_code == 400 and count() == 0
    assert "At most 2000 rows per file" in response.get_data(as_text=True)


@pytest.mark.parametrize("language, title", [("vi", "Tên sản phẩm"), ("en", "Title")])
def test_the_template_comes_in_each_language_with_its_help(signed_in, language, title):
    response = signed_in.get(f"/listings/import/template-{language}.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    rows, help_sheet = workbook.worksheets
    header = [cell.value for cell in rows[1]]
    assert header[0] == title and len(header) == 14
    assert any(row[1] == "food.rice" for row in help_sheet.iter_rows(values_only=True))
    csv_header = signed_in.get(f"/listings/import/template-{language}.csv").get_data().decode("utf-8-sig")
    assert csv_header.startswith(title)


def test_the_filled_template_imports_as_it_is(signed_in):
    template = load_workbook(io.BytesIO(signed_in.get("/listings/import/template-vi.xlsx").get_data()))
    sheet = template.worksheets[0]
    columns = {cell.value: n for n, cell in enumerate(sheet[1])}
    row = [None] * len(columns)
    for header, value in (("Tên sản phẩm", "Cà phê Robusta"), ("Ngành hàng", "Cà phê"), ("Đơn vị", "tấn"),
                          ("Số lượng bán", 2), ("Giá mỗi đơn vị (VNĐ)", 95_000_000), ("Tỉnh / thành phố", "Đắk Lắk"),
                          ("Bán đến", date(2030, 1, 31))):
        row[columns[header]] = value
    sheet.append(row)
    buffer = io.BytesIO()
    template.save(buffer)
    assert send(signed_in, buffer.getvalue()).status_code == 302
    coffee = db.session.scalars(select(Listing)).one()
    assert (coffee.category, coffee.quantity, coffee.unit_price) == ("beverages.coffee", 2000, 95_000)


def test_only_producers(auth, client, distributor):
    auth.login(distributor.email)
    assert client.get("/listings/import").status_code == 403
