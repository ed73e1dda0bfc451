"""A producer's photos of a listing, from its edit page: upload, move
earlier or later (the first is the cover), delete. Plain forms, no script."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from marketplace.auth.permissions import current_account as me
from marketplace.auth.permissions import role_required
from marketplace.core.uploads import accepts_upload
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.listings import bp
from marketplace.listings.photos import MAX_BYTES, add_photo, delete_photo, move_photo
from marketplace.models import Listing
from marketplace.models.user import Role
from marketplace.trade.access import get_for_change

producer_required = role_required(Role.PRODUCER)


def _back(listing_id: int):
    return redirect(url_for(".edit", listing_id=listing_id, _anchor="photos"))


def _run(listing_id: int, action, done: str):
    listing = get_for_change(Listing, listing_id, me(), admin_too=False)
    if not FlaskForm().validate_on_submit():
        flash(_("The form expired or came from another site. Reload the page and try again."), "error")
        return _back(listing_id)
    try:
        action(listing)
    except InvalidInput as error:
        flash(error.fields.get("file") or error.message, "error")
    except (NotAllowed, WrongState) as error:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return _back(listing_id)


@bp.post("/<int:listing_id>/photos")
@accepts_upload(MAX_BYTES)
@producer_required
def add_photo_page(listing_id: int):
    upload = request.files.get("file")
    data = upload.read(MAX_BYTES + 1) if upload else b""
    return _run(listing_id, lambda listing: add_photo(listing, me(), data), _("The photo is added."))


@bp.post("/<int:listing_id>/photos/<int:photo_id>/move")
@producer_required
def move_photo_page(listing_id: int, photo_id: int):
    offset = -1 if request.form.get("direction") == "earlier" else 1
    return _run(listing_id, lambda listing: move_photo(listing, me(), photo_id, offset), _("The photos are reordered."))


@bp.post("/<int:listing_id>/photos/<int:photo_id>/delete")
@producer_required
def delete_photo_page(listing_id: int, photo_id: int):
    return _run(listing_id, lambda listing: delete_photo(listing, me(), photo_id), _("The photo is deleted."))
