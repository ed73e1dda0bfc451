"""Listing photos: decoded by Pillow (never trusted by name or type header),
turned upright, stripped of EXIF (GPS included) by re-encoding, stored as
WebP in two sizes under MEDIA_ROOT with the content hash in the name, so the
files never change and may be cached for a year.

Up to MAX_PHOTOS per listing; the first is the cover. The listing's row is
locked before the count, so two uploads at once cannot
make a seventh photo (its revision stays: photos do not make matches stale)."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

from flask import current_app, url_for
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import func, select, update

from marketplace.core.extensions import db
from marketplace.core.images import decoded as decoded_image
from marketplace.core.images import refusal, webp
from marketplace.core.uploads import write_once
from marketplace.core.validation import NotAllowed, WrongState
from marketplace.models import Listing, ListingPhoto, ListingStatus, User
from marketplace.models.photo import MAX_PHOTOS

MAX_BYTES = 8 * 1024 * 1024
LARGE, THUMB = 1600, 400


def decoded(data: bytes) -> Image.Image:
    """The upright photo, fully decoded, or a clear refusal."""
    if not data:
        raise refusal(_("Choose a photo to upload."))
    if len(data) > MAX_BYTES:
        raise refusal(_("A photo may be at most %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    return decoded_image(data)


def media_root() -> Path:
    return Path(current_app.config["MEDIA_ROOT"])


def _lock(listing: Listing) -> None:
    """The listing's row lock (PostgreSQL) or the write lock (SQLite), without
    touching its revision: photos do not make its matches stale."""
    db.session.execute(update(Listing).where(Listing.id == listing.id).values(updated_at=Listing.updated_at)
                       .execution_options(synchronize_session=False))


def _owned(listing: Listing, user: User) -> None:
    if listing.producer_id != user.id:
        raise NotAllowed(_("You can only change the photos of your own listings."))
    if listing.status == ListingStatus.REMOVED or listing.taken_down_at is not None:
        raise WrongState(_("A removed listing cannot be changed."))


def add_photo(listing: Listing, user: User, data: bytes) -> ListingPhoto:
    _owned(listing, user)
    image = decoded(data)
    large, thumb = webp(image, LARGE), webp(image, THUMB)
    digest = hashlib.sha256(large).hexdigest()
    width, height = Image.open(io.BytesIO(large)).size
    _lock(listing)
    count = db.session.scalar(select(func.count()).select_from(ListingPhoto)
                              .where(ListingPhoto.listing_id == listing.id))
    if count >= MAX_PHOTOS:
        db.session.rollback()
        raise refusal(_("A listing has at most %(max)d photos: delete one first.", max=MAX_PHOTOS))
    photo = ListingPhoto(listing_id=listing.id, position=count, digest=digest, width=width, height=height)
    # Files first: a row never points at a file that is not there.
    write_once(media_root() / photo.large_name, large)
    write_once(media_root() / photo.thumb_name, thumb)
    db.session.add(photo)
    db.session.commit()
    db.session.refresh(listing)
    return photo


def _photo_of(listing: Listing, photo_id: int) -> ListingPhoto:
    photo = db.session.get(ListingPhoto, photo_id)
    if photo is None or photo.listing_id != listing.id:
        raise WrongState(_("This photo is no longer there."))
    return photo


def _renumber(ordered: list[ListingPhoto]) -> None:
    for position, photo in enumerate(ordered):
        photo.position = position


def _ordered(listing_id: int) -> list[ListingPhoto]:
    return list(db.session.scalars(select(ListingPhoto).where(ListingPhoto.listing_id == listing_id)
                                   .order_by(ListingPhoto.position, ListingPhoto.id)))


def delete_photo(listing: Listing, user: User, photo_id: int) -> None:
    _owned(listing, user)
    _lock(listing)
    photo = _photo_of(listing, photo_id)
    digest = photo.digest
    db.session.delete(photo)
    db.session.flush()
    _renumber(_ordered(listing.id))
    still_used = db.session.scalar(select(func.count()).select_from(ListingPhoto)
                                   .where(ListingPhoto.digest == digest))
    db.session.commit()
    if not still_used:
        for name in (f"listings/{digest}-1600.webp", f"listings/{digest}-400.webp"):
            (media_root() / name).unlink(missing_ok=True)
    db.session.refresh(listing)


def move_photo(listing: Listing, user: User, photo_id: int, offset: int) -> None:
    """One place earlier (offset -1) or later (+1); to position 0 it becomes the cover."""
    _owned(listing, user)
    _lock(listing)
    ordered = _ordered(listing.id)
    photo = _photo_of(listing, photo_id)
    index = ordered.index(photo)
    target = min(max(index + offset, 0), len(ordered) - 1)
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)
    db.session.commit()
    db.session.refresh(listing)


def photo_json(photo: ListingPhoto) -> dict:
    return {"id": photo.id, "position": photo.position, "width": photo.width, "height": photo.height,
            "url": url_for("pages.media", name=photo.large_name, _external=True),
            "thumb_url": url_for("pages.media", name=photo.thumb_name, _external=True)}
