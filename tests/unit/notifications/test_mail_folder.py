"""Without a MAIL_SERVER (development), e-mails land as .eml files in
MAIL_FOLDER, once each, instead of failing against a server that is not there."""
import email
from email import policy

import pytest

from marketplace.notifications import delivery
from tests.support.notifications import emit, match_details


@pytest.fixture
def app_overrides(tmp_path):
    return {"OUTBOX_RELAY": "off", "MAIL_SERVER": "", "MAIL_FOLDER": str(tmp_path / "mail"),
            "SITE_URL": "https://cungcau.example"}


def test_emails_are_written_to_the_mail_folder_once(app, parties, tmp_path):
    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    assert delivery.flush_emails() == {"sent": 2, "retry": 0, "failed": 0}
    files = sorted((tmp_path / "mail").glob("*.eml"))
    messages = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]
    assert sorted(message["To"] for message in messages) == ["buyer@example.vn", "htx@example.vn"]
    to_buyer = next(message for message in messages if message["To"] == "buyer@example.vn")
    assert to_buyer["Subject"] == "[CungCầu] A proposal is approved for you"
    assert "https://cungcau.example/matches/7" in to_buyer.get_body(("plain",)).get_content()
    assert delivery.flush_emails() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 2
