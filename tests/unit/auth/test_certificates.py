"""A producer sends a scan of the OCOP certificate from the profile page: a
photo comes back as WebP without its EXIF, a PDF is opened before it is
kept, anything else is refused and nothing stored; only the owner and the
programme staff can open it, and it is never cached."""
import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.models import Profile
from marketplace.models.user import Role
from tests.support.auth import csrf
from tests.support.factories import UserFactory
from tests.support.images import jpeg_with_gps, noisy_png


def pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def producer(auth):
    user = UserFactory(role=Role.PRODUCER, email="htx@example.vn")
    auth.login(user.email)
    return user


def send(client, data: bytes, name: str):
    return client.post("/auth/profile/certificate", content_type="multipart/form-data",
                       data={"csrf_token": csrf(client, "/auth/profile"), "file": (io.BytesIO(data), name)})


def documents(app) -> list[Path]:
    folder = Path(app.config["DOCUMENTS_ROOT"]) / "certificates"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_a_phone_photo_of_the_certificate_is_kept_without_its_gps_and_shown_to_the_owner(app, client, producer):
    sent = send(client, jpeg_with_gps(size=(3000, 2000)), "giay-chung-nhan.jpg")
    assert sent.status_code == 302 and sent.location.endswith("/auth/profile#verification")
    assert "Your certificate scan is sent" in client.get("/auth/profile").get_data(as_text=True)
    scan = client.get("/auth/profile/certificate")
    assert scan.status_code == 200 and scan.mimetype == "image/webp"
    assert "no-store" in scan.headers["Cache-Control"]
    image = Image.open(io.BytesIO(scan.data))
    assert image.format == "WEBP" and max(image.size) == 2400 and not image.getexif()
    assert b"PhoneMaker" not in scan.data
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.target_id == producer.id)) == "user.certificate_sent"


def test_a_pdf_is_kept_and_downloaded_not_opened_in_the_site(app, client, producer):
    assert send(client, pdf(2), "chung-nhan.pdf").status_code == 302
    scan = client.get("/auth/profile/certificate")
    assert scan.mimetype == "application/pdf" and scan.headers["Content-Disposition"].startswith("attachment")
    assert scan.data.startswith(b"%PDF-")


@pytest.mark.parametrize("data, name, words", [
    (b"Hello, a text file renamed .jpg", "scan.jpg", "Send a photo (JPEG, PNG or WebP) or a PDF"),
    (b"%PDF-1.7 not really a pdf at all", "scan.pdf", "This PDF cannot be opened"),
    (b"", "scan.pdf", "Choose the file of your certificate"),
])
def test_a_file_that_is_not_a_certificate_scan_is_refused_and_nothing_stored(app, client, producer, data, name, words):
    refused = send(client, data, name)
    assert refused.status_code == 302
    assert words in client.get("/auth/profile").get_data(as_text=True)
    assert documents(app) == []
    assert db.session.scalar(select(Profile.certificate_scan).where(Profile.user_id == producer.id)) is None


def test_a_scan_larger_than_other_requests_may_be_still_arrives(app, client, producer):
    data = noisy_png()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    assert send(client, data, "scan.png").status_code == 302
    assert client.get("/auth/profile/certificate").mimetype == "image/webp"


def test_an_oversized_file_is_refused(app, client, producer):
    send(client, b"%PDF-" + b"0" * (8 * 1024 * 1024), "huge.pdf")
    assert "at most 8 MB" in client.get("/auth/profile").get_data(as_text=True)
    assert documents(app) == []


def test_only_the_owner_and_admins_see_the_scan(app, auth, client, producer):
    send(client, pdf(), "chung-nhan.pdf")
    auth.logout()
    assert client.get(f"/admin/users/{producer.id}/certificate").status_code in (302, 403, 404)
    other = UserFactory(role=Role.PRODUCER)
    auth.login(other.email)
    assert client.get("/auth/profile/certificate").status_code == 404      # their own: none sent
    assert client.get(f"/admin/users/{producer.id}/certificate").status_code in (403, 404)
    auth.logout()
    auth.login(UserFactory(role=Role.ADMIN).email)
    page = client.get(f"/admin/users/{producer.id}").get_data(as_text=True)
    assert "The certificate scan the producer sent on" in page
    assert client.get(f"/admin/users/{producer.id}/certificate").data.startswith(b"%PDF-")
