"""POST /api/v1/listings/<id>/photos and DELETE .../photos/<photo_id>: a listing's photos (its producer)."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with, multipart_body
from marketplace.api.schemas.listings import PhotoSchema
from marketplace.core.errors import ApiError
from marketplace.core.validation import InvalidInput
from marketplace.listings.photos import MAX_BYTES, add_photo, delete_photo, photo_json
from marketplace.listings.search import visible_listing

bp = api_blueprint("api_photos", __name__, "A listing's photos.")

PHOTO_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "JPEG, PNG or WebP, at most 8 MB; stored as WebP without EXIF."}}}}}}}
# The photo and the multipart envelope around it.
PHOTO_REQUEST_LIMIT = MAX_BYTES + 64 * 1024


def _listing(listing_id: int):
    listing = visible_listing(current_user(), listing_id)
    if listing is None:
        raise ApiError(404, "not_found", _("No such listing."))
    return listing


@bp.route(f"/listings/<{ID}:listing_id>/photos", endpoint="photos")
class Photos(MethodView):
    @token_required
    @multipart_body
    @fails_with(403, 404, 409, 413, 415)
    @bp.doc(**PHOTO_BODY)
    @bp.response(201, PhotoSchema)
    def post(self, listing_id: int):
        """Add a photo to your listing (at most 6; the first is the cover)

        The file is decoded, turned upright, stripped of its EXIF data (GPS
        included) and stored as WebP in two sizes. Anything that is not a
        readable JPEG, PNG or WebP photo, over 8 MB, or a seventh photo is a
        422 and nothing is stored."""
        listing = _listing(listing_id)
        request.max_content_length = PHOTO_REQUEST_LIMIT
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput({"file": _("Send the photo in the field “file”.")})
        return photo_json(add_photo(listing, current_user(), upload.read(MAX_BYTES + 1)))


@bp.route(f"/listings/<{ID}:listing_id>/photos/<{ID}:photo_id>", endpoint="photo")
class OnePhoto(MethodView):
    @token_required
    @fails_with(403, 404, 409)
    @bp.response(204)
    def delete(self, listing_id: int, photo_id: int):
        """Delete one of your listing's photos (the next one becomes the cover)"""
        delete_photo(_listing(listing_id), current_user(), photo_id)
