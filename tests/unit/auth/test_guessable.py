"""Guessable passwords are refused at registration and password change, on
the form and in the API, with a message that says what to do instead."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.auth.guessable import is_guessable
from marketplace.models import User
from tests.support.api_client import ApiClient, error_of
from tests.support.factories import DEFAULT_PASSWORD

GUESSABLE = ["password123", "Password1!", "P@ssw0rd2024", "matkhau123", "Matkhau@2024", "anhyeuem123",
             "iloveyou!!!", "Vietnam2024!!", "qwerty12345", "abc123456789", "1qaz2wsx3edc", "123123123a",
             "cungcau2026", "admin12345"]
FINE = [DEFAULT_PASSWORD, "nuoc-mam-2026", "ca-phe-sua-da-2026", "moi-mat-khau-99", "Gạo ST25 Sóc Trăng",
        "vietnam-que-huong-toi-1975"]
MESSAGE = "one of the first that attackers try"


@pytest.mark.parametrize("password", GUESSABLE)
def test_common_passwords_however_dressed_up_are_guessable(password):
    assert is_guessable(password)


@pytest.mark.parametrize("password", FINE)
def test_passphrases_are_not(password):
    assert not is_guessable(password)


@pytest.mark.parametrize("password", ["matkhau123", "Password1!"])
def test_the_registration_form_refuses_them(auth, db, password):
    response = auth.register(password=password, confirm=password)
    assert response.status_code == 400 and MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["matkhau123", "Password1!"])
def test_the_api_refuses_them_at_registration(client, db, password):
    response = ApiClient(client).post("/auth/register", json={
        "email": "htx.muoi@example.vn", "password": password, "role": "producer", "display_name": "HTX Muối",
        "province": "Bạc Liêu", "phone": "0912 345 678", "ocop_certificate_no": "OCOP-BL-0001"})
    assert response.status_code == 422 and MESSAGE in error_of(response)["fields"]["password"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["matkhau123", "Password1!", "short1"])
def test_the_password_change_form_refuses_them(client, auth, producer, password):
    auth.login(producer.email)
    response = client.post("/auth/password", data={
        "csrf_token": auth.csrf("/auth/password"), "current_password": DEFAULT_PASSWORD,
        "password": password, "confirm": password})
    assert response.status_code == 400
    auth.logout()
    assert auth.login(producer.email).status_code == 302          # the old password still works
