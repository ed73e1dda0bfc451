"""Demand orders from a spreadsheet, on the distributor's page."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.models import DemandOrder
from tests.support.auth import csrf
from tests.support.sheets import upload, xlsx_bytes

NEEDED = local_today() + timedelta(days=20)


def test_a_distributor_posts_orders_from_a_sheet_and_sees_a_bad_row_first(auth, client, distributor):
    auth.login(distributor.email)
    rows = [["Title", "Category", "Unit", "Quantity wanted", "Highest price per unit (VND)",
             "Delivery province or city", "Needed by", "Several producers may fill this order"],
            ["Cần gạo ST25", "food.rice", "tan", 3, 33_000_000, "Hà Nội", NEEDED, "yes"],
            ["Cần mật ong", "food.honey", "l", 200, 280_000, "Đà Nẵng", "31/02/2030", "no"]]

    def send(data):
        return client.post("/orders/import", content_type="multipart/form-data",
                           data={"csrf_token": csrf(client, "/orders/import"), "file": upload(data)})

    refused = send(xlsx_bytes(rows))
    assert refused.status_code == 400 and db.session.scalars(select(DemandOrder)).all() == []
    assert "Row 3 · <strong>Needed by</strong>: Enter a date as 31/12/2026 or 2026-12-31." in \
        refused.get_data(as_text=True)
    rows[2][6] = NEEDED.strftime("%d/%m/%Y")
    assert send(xlsx_bytes(rows)).status_code == 302
    orders = {o.title: o for o in db.session.scalars(select(DemandOrder))}
    assert (orders["Cần gạo ST25"].quantity, orders["Cần gạo ST25"].allow_split) == (3000, True)
    assert (orders["Cần mật ong"].needed_by, orders["Cần mật ong"].allow_split) == (NEEDED, False)
    assert client.get("/orders/import/template-en.xlsx").status_code == 200
