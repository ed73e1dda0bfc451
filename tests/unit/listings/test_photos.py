"""Listing photos: decoded for real, EXIF and GPS gone, two WebP sizes named
by their content, at most six, reordered and deleted; bad files refused and
nothing stored."""
import io
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image

from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, NotAllowed
from marketplace.listings.photos import add_photo, delete_photo, move_photo
from marketplace.models import Listing, ListingPhoto
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, UserFactory
from tests.support.images import bomb, jpeg_with_gps, png


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def listing(producer):
    return ListingFactory(producer=producer)


def stored(app, name: str) -> Path:
    return Path(app.config["MEDIA_ROOT"]) / name


def test_a_phone_photo_is_stored_upright_as_webp_in_two_sizes_without_exif(app, listing, producer):
    photo = add_photo(listing, producer, jpeg_with_gps(size=(2400, 1800), orientation=6))
    large, thumb = stored(app, photo.large_name), stored(app, photo.thumb_name)
    for path, longest in ((large, 1600), (thumb, 400)):
        data = path.read_bytes()
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP" and max(image.size) == longest
        assert image.width < image.height            # orientation 6: the phone was held upright
        assert not image.getexif() and b"Exif" not in data and b"PhoneMaker" not in data
    assert (photo.position, photo.width, photo.height) == (0, 1200, 1600)
    assert photo.digest in large.name and db.session.get(Listing, listing.id).cover.id == photo.id


@pytest.mark.parametrize("data, words", [
    (b"GIF89a not really", "not a photo we can read"),
    (b"Hello, this is a text file renamed .jpg", "not a photo we can read"),
    (jpeg_with_gps()[:20_000], "not a photo we can read"),            # truncated
    (bomb(), "too large to open"),
    (b"", "Choose a photo"),
    (b"\xff" * (8 * 1024 * 1024 + 1), "at most 8 MB"),
])
def test_what_is_not_a_readable_photo_is_refused_and_nothing_stored(app, listing, producer, data, words):
    with pytest.raises(InvalidInput) as refused:
        add_photo(listing, producer, data)
    assert words in refused.value.fields["file"]
    assert db.session.query(ListingPhoto).count() == 0
    media = Path(app.config["MEDIA_ROOT"])
    assert not media.exists() or not any(media.rglob("*.webp"))


def test_a_gif_is_refused_even_when_pillow_reads_it(listing, producer):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(InvalidInput) as refused:
        add_photo(listing, producer, out.getvalue())
    assert "JPEG, PNG or WebP" in refused.value.fields["file"]


def test_a_seventh_photo_is_refused(listing, producer):
    for shade in range(6):
        add_photo(listing, producer, png(colour=(shade * 40, 100, 100)))
    with pytest.raises(InvalidInput) as refused:
        add_photo(listing, producer, png(colour=(1, 2, 3)))
    assert "at most 6 photos" in refused.value.fields["file"]
    assert db.session.query(ListingPhoto).count() == 6


def test_photos_are_reordered_and_deleted_and_files_go_with_the_last_row(app, listing, producer):
    first, second, third = (add_photo(listing, producer, png(colour=(c, 0, 0))) for c in (10, 120, 240))
    move_photo(listing, producer, third.id, -1)
    move_photo(listing, producer, third.id, -1)
    assert [p.id for p in db.session.get(Listing, listing.id).photos] == [third.id, first.id, second.id]
    name = first.large_name
    delete_photo(listing, producer, first.id)
    assert [p.position for p in db.session.get(Listing, listing.id).photos] == [0, 1]
    assert not stored(app, name).exists()


def test_the_same_file_on_two_listings_keeps_its_file_until_both_are_gone(app, producer):
    a, b = ListingFactory(producer=producer), ListingFactory(producer=producer)
    data = png(colour=(5, 5, 5))
    on_a, on_b = add_photo(a, producer, data), add_photo(b, producer, data)
    assert on_a.digest == on_b.digest
    delete_photo(a, producer, on_a.id)
    assert stored(app, on_b.large_name).exists()


def test_only_the_owner_changes_photos(listing):
    with pytest.raises(NotAllowed):
        add_photo(listing, UserFactory(role=Role.PRODUCER), png())
