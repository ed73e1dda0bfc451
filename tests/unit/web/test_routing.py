"""Page routes bound their integer ids: one beyond what the database holds is a 404, not a 500."""
from __future__ import annotations

import pytest

PAGES = ["/listings/{}", "/listings/{}/edit", "/orders/{}", "/matches/{}", "/admin/users/{}",
         "/admin/match-runs/{}", "/notifications/webhooks/{}", "/p/{}"]
IDS = [2**31, 2**63 - 1, 2**63, 10**30]


@pytest.mark.parametrize("number", IDS)
@pytest.mark.parametrize("page", PAGES)
def test_ids_beyond_the_database_are_404_on_pages(client, auth, admin, page, number):
    auth.login(admin.email)
    response = client.get(page.format(number))
    assert response.status_code == 404
    assert "This page does not exist." in response.get_data(as_text=True)


def test_the_largest_id_is_still_a_plain_miss(client, auth, admin):
    auth.login(admin.email)
    assert client.get(f"/listings/{2**31 - 1}").status_code == 404
