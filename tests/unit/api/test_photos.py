"""Photos through the API and the pages: a producer's real phone JPEG comes
back as WebP without its GPS, cached for a year; bad files are a 4xx and
nothing is stored."""
import io

from PIL import Image

from marketplace.models import ListingPhoto
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.auth import csrf
from tests.support.factories import ListingFactory, UserFactory
from tests.support.images import jpeg_with_gps, png


def upload(client, token, listing_id, data: bytes, name="photo.jpg"):
    return ApiClient(client, token).call("POST", f"/listings/{listing_id}/photos",
                                         data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_a_phone_photo_comes_back_as_webp_without_gps_and_is_cached(client, db, producer):
    listing = ListingFactory(producer=producer)
    token = issue_token(producer)
    answer = upload(client, token, listing.id, jpeg_with_gps())
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["position"] == 0 and body["url"].endswith("-1600.webp") and body["thumb_url"].endswith("-400.webp")
    served = client.get(body["url"].replace("http://localhost", ""))
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert "immutable" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "WEBP" and not image.getexif()
    listing_json = ApiClient(client, issue_token(UserFactory(role=Role.DISTRIBUTOR))).get(
        f"/listings/{listing.id}").get_json()
    assert [p["id"] for p in listing_json["photos"]] == [body["id"]]

    assert ApiClient(client, token).delete(f"/listings/{listing.id}/photos/{body['id']}").status_code == 204
    assert db.session.query(ListingPhoto).count() == 0


def test_a_text_file_named_jpg_and_an_oversized_body_are_refused(client, db, producer):
    listing = ListingFactory(producer=producer)
    token = issue_token(producer)
    fake = upload(client, token, listing.id, b"just some text, honestly", name="photo.jpg")
    assert fake.status_code == 422 and "not a photo" in error_of(fake)["fields"]["file"]
    huge = upload(client, token, listing.id, b"\xff" * (9 * 1024 * 1024))
    assert huge.status_code == 413 and error_of(huge)["code"] == "too_large"
    missing = ApiClient(client, token).call("POST", f"/listings/{listing.id}/photos", data={},
                                            content_type="multipart/form-data")
    assert missing.status_code == 422
    assert db.session.query(ListingPhoto).count() == 0


def test_another_producer_cannot_add_photos(client, db, producer):
    listing = ListingFactory(producer=producer)
    other = issue_token(UserFactory(role=Role.PRODUCER))
    assert upload(client, other, listing.id, png()).status_code == 403
    assert db.session.query(ListingPhoto).count() == 0


def test_the_edit_page_uploads_and_the_catalogue_shows_the_cover(auth, client, db, producer):
    listing = ListingFactory(producer=producer, title="Nước mắm Phú Quốc")
    auth.login(producer.email)
    token = csrf(client, f"/listings/{listing.id}/edit")
    done = client.post(f"/listings/{listing.id}/photos", data={"csrf_token": token,
                                                               "file": (io.BytesIO(png()), "bottle.png")},
                       content_type="multipart/form-data")
    assert done.status_code == 302 and done.location.endswith("#photos")
    page = client.get(f"/listings/{listing.id}/edit").get_data(as_text=True)
    assert "The photo is added." in page and "Cover" in page
    bad = client.post(f"/listings/{listing.id}/photos", data={"csrf_token": token,
                                                              "file": (io.BytesIO(b"%PDF-1.4"), "scan.jpg")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "not a photo we can read" in bad.get_data(as_text=True)
    photo = db.session.query(ListingPhoto).one()
    catalogue = client.get("/listings").get_data(as_text=True)
    assert f'src="/media/{photo.thumb_name}"' in catalogue and 'loading="lazy"' in catalogue
