"""/admin/deals: every deal with both parties' contacts, filtered by status,
category, province and text, each linking to its deal room."""
import pytest

from marketplace.core.extensions import db
from marketplace.matches import lifecycle
from marketplace.models import Match, MatchStatus
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


@pytest.fixture
def deals(app):
    producer = UserFactory(role=Role.PRODUCER, profile__display_name="HTX Gạo Mỹ Xuyên", profile__phone="0912345678")
    beekeeper = UserFactory(role=Role.PRODUCER, profile__display_name="Tổ hợp Ong Ba Vì", profile__province_code="ha-noi")
    buyer = UserFactory(role=Role.DISTRIBUTOR, profile__display_name="Bách hoá Xanh", profile__phone="0987654321")
    rice = make_match(ListingFactory(producer=producer, title="Gạo ST25"), OrderFactory(distributor=buyer),
                      status=MatchStatus.CONFIRMED)
    honey_listing = ListingFactory(producer=beekeeper, title="Mật ong rừng", category="food.honey", unit="l",
                                   province_code="ha-noi")
    honey = make_match(honey_listing, OrderFactory(distributor=buyer, category="food.honey", unit="l",
                                                   delivery_province_code="ha-noi"), status=MatchStatus.CONFIRMED)
    lifecycle.fulfil(db.session.get(Match, honey.id), buyer, 60)
    waiting = make_match(ListingFactory(producer=producer, title="Gạo nếp"), OrderFactory(distributor=buyer),
                         status=MatchStatus.PROPOSED)
    return {"rice": rice.id, "honey": honey.id, "waiting": waiting.id}



def ids_in(html, deals):
    return {name for name, match_id in deals.items() if f'id="deal-{match_id}"' in html}


def test_deals_list_confirmed_shipped_and_delivered_with_both_contacts(auth, client, admin, deals):
    auth.login(admin.email)
    html = client.get("/admin/deals").get_data(as_text=True)
    assert ids_in(html, deals) == {"rice", "honey"}
    assert "0912345678" in html and "0987654321" in html and "https://zalo.me/84912345678" in html
    assert f'href="/matches/{deals["rice"]}"' in html and "Received</dt><dd>60 l" in html
    assert client.get(f"/matches/{deals['rice']}").status_code == 200


def test_filters_narrow_the_list(auth, client, admin, deals):
    auth.login(admin.email)
    assert ids_in(client.get("/admin/deals?status=proposed").get_data(as_text=True), deals) == {"waiting"}
    assert ids_in(client.get("/admin/deals?status=fulfilled").get_data(as_text=True), deals) == {"honey"}
    assert ids_in(client.get("/admin/deals?category=food.honey").get_data(as_text=True), deals) == {"honey"}
    assert ids_in(client.get("/admin/deals?province=ha-noi").get_data(as_text=True), deals) == {"honey"}
    assert ids_in(client.get("/admin/deals?q=st25").get_data(as_text=True), deals) == {"rice"}
    assert ids_in(client.get("/admin/deals?q=Ong+Ba").get_data(as_text=True), deals) == {"honey"}


def test_a_junk_filter_is_a_clear_400(auth, client, admin, deals):
    auth.login(admin.email)
    page = client.get("/admin/deals?status=nonsense")
    assert page.status_code == 400 and "Correct the filters above." in page.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PRODUCER, Role.DISTRIBUTOR])
def test_only_admins_see_the_deals(auth, client, deals, role):
    auth.login(UserFactory(role=role).email)
    assert client.get("/admin/deals").status_code == 403
