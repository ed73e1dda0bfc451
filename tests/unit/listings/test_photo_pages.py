"""The edit page's photo form takes a phone-sized photo (larger than any
other form may send), and answers a file that is not a photo in words."""
import io

from marketplace.core.extensions import db
from marketplace.models import Listing
from marketplace.models.user import Role
from tests.support.auth import csrf
from tests.support.factories import ListingFactory, UserFactory
from tests.support.images import noisy_png


def upload(client, listing, data: bytes, name: str):
    return client.post(f"/listings/{listing.id}/photos", content_type="multipart/form-data",
                       data={"csrf_token": csrf(client, f"/listings/{listing.id}/edit"),
                             "file": (io.BytesIO(data), name)})


def test_a_phone_sized_photo_goes_through_the_edit_page(app, auth, client):
    producer = UserFactory(role=Role.PRODUCER)
    listing = ListingFactory(producer=producer)
    auth.login(producer.email)
    data = noisy_png()
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    answer = upload(client, listing, data, "IMG_0001.png")
    assert answer.status_code == 302 and answer.location.endswith("#photos")
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).cover is not None
    refused = upload(client, listing, b"not a photo", "IMG_0002.jpg")
    assert refused.status_code == 302
    assert "not a photo we can read" in client.get(f"/listings/{listing.id}/edit").get_data(as_text=True)
