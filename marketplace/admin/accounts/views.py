"""Admin pages for accounts (search, verify a producer, suspend, reinstate)
and takedowns of listings and orders. Admins only: the blueprint's
before_request refuses everyone else."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from marketplace.admin import bp
from marketplace.admin.accounts.forms import ReinstateForm, SuspendForm, TakedownForm, UserSearchForm, VerifyForm
from marketplace.admin.accounts.services import (
    account_detail,
    edit_profile,
    find_user,
    reinstate_user,
    search_users,
    suspend_user,
    verify_producer,
)
from marketplace.admin.accounts.takedown import take_down_listing, take_down_order
from marketplace.auth.certificates import certificate_scan, scan_response
from marketplace.auth.forms import ProfileForm
from marketplace.auth.permissions import current_account as me
from marketplace.core.extensions import db
from marketplace.core.pagination import requested_page as page_number
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.models import DemandOrder, Listing
from marketplace.trade.scope import oversees
from marketplace.web.forms import apply_field_errors
from marketplace.web.labels import province_name


@bp.get("/users")
def users():
    form = UserSearchForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/users.html", form=form, results=None), 400
    results = search_users(form.filters(), page=page_number(), viewer=me())
    return render_template("admin/users.html", form=form, results=results)


def _render_user(user_id: int, status: int = 200, **forms):
    detail = account_detail(user_id, me()) or abort(404)
    forms.setdefault("verify_form", VerifyForm(formdata=None))
    forms.setdefault("suspend_form", SuspendForm(formdata=None))
    forms.setdefault("reinstate_form", ReinstateForm(formdata=None))
    forms.setdefault("takedown_form", TakedownForm(formdata=None))
    forms["blank_takedown_form"] = TakedownForm(formdata=None)
    forms.setdefault("failed_target", None)
    if detail.user.profile is not None and "profile_form" not in forms:
        forms["profile_form"] = _profile_form(detail.user)
    return render_template("admin/user.html", detail=detail, user=detail.user,
                           scan=certificate_scan(detail.user.profile), **forms), status


def _profile_form(user, formdata=None) -> ProfileForm:
    profile = user.profile
    return ProfileForm(formdata=formdata, prefix="profile", data={
        "display_name": profile.display_name, "phone": profile.phone, "province": province_name(profile.province_code),
        "address": profile.address, "tax_code": profile.tax_code, "ocop_certificate_no": profile.ocop_certificate_no})


@bp.post("/users/<int:user_id>/profile")
def edit_user_profile(user_id: int):
    account = _account(user_id)
    if account.profile is None:
        abort(404)
    form = ProfileForm(prefix="profile")
    if not form.validate_on_submit():
        return _render_user(user_id, 400, profile_form=form)
    was_verified = account.profile.verified_at is not None
    changed = edit_profile(account, me(), form.change())
    if not changed:
        flash(_("Nothing changed."), "success")
    else:
        flash(_("%(name)s's profile is saved; the change is in the audit log.", name=account.display_name), "success")
        if was_verified and account.profile.verified_at is None:
            flash(_("The certificate number changed, so the verification lapsed: check the new number."), "error")
    return redirect(url_for(".user", user_id=user_id))


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    return _render_user(user_id)


@bp.get("/users/<int:user_id>/certificate")
def certificate(user_id: int):
    """The producer's certificate scan, to compare with the number before verifying."""
    return scan_response(_account(user_id).profile)


def _refused(user_id: int, form_name: str, form, error: Exception, status: int):
    """A use case said no: bad input next to the form's fields; a refusal
    (the form may no longer be on the page) as a message at the top."""
    if isinstance(error, InvalidInput):
        apply_field_errors(form, error.fields, error.message)
        return _render_user(user_id, status, **{form_name: form})
    flash(getattr(error, "message", None) or str(error), "error")
    return _render_user(user_id, status)


def _account(user_id: int):
    return find_user(user_id, me()) or abort(404)


@bp.post("/users/<int:user_id>/verify")
def verify_user(user_id: int):
    account = _account(user_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        return _render_user(user_id, 400, verify_form=form)
    try:
        verify_producer(account, me(), form.certificate_no.data)
    except InvalidInput as error:
        return _refused(user_id, "verify_form", form, error, 400)
    except WrongState as error:
        return _refused(user_id, "verify_form", form, error, 409)
    flash(_("%(name)s is verified.", name=account.display_name), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/suspend")
def suspend(user_id: int):
    account = _account(user_id)
    form = SuspendForm()
    if not form.validate_on_submit():
        return _render_user(user_id, 400, suspend_form=form)
    try:
        cancelled = suspend_user(account, me(), form.reason.data)
    except InvalidInput as error:
        return _refused(user_id, "suspend_form", form, error, 400)
    except NotAllowed as error:
        return _refused(user_id, "suspend_form", form, error, 403)
    except WrongState as error:
        return _refused(user_id, "suspend_form", form, error, 409)
    flash(ngettext("%(name)s is suspended and logged out everywhere; %(num)d open match was cancelled.",
                   "%(name)s is suspended and logged out everywhere; %(num)d open matches were cancelled.",
                   cancelled, name=account.display_name), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/reinstate")
def reinstate(user_id: int):
    account = _account(user_id)
    form = ReinstateForm()
    if not form.validate_on_submit():
        return _render_user(user_id, 400, reinstate_form=form)
    try:
        reinstate_user(account, me(), form.reason.data)
    except InvalidInput as error:
        return _refused(user_id, "reinstate_form", form, error, 400)
    except WrongState as error:
        return _refused(user_id, "reinstate_form", form, error, 409)
    flash(_("%(name)s is active again.", name=account.display_name), "success")
    return redirect(url_for(".user", user_id=user_id))


def _take_down(row, owner_id: int, target: str, service, done_message: str):
    form = TakedownForm()
    failed = {"takedown_form": form, "failed_target": target}
    if not form.validate_on_submit():
        return _render_user(owner_id, 400, **failed)
    try:
        service(row, me(), form.reason.data)
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return _render_user(owner_id, 400, **failed)
    except WrongState as error:
        flash(error.message, "error")
        return _render_user(owner_id, 409)
    flash(done_message, "success")
    return redirect(url_for(".user", user_id=owner_id))


def _overseen(row):
    """The row, or 404 when it is missing or outside the admin's provinces."""
    return row if row is not None and oversees(me(), row) else abort(404)


@bp.post("/listings/<int:listing_id>/takedown")
def take_down_listing_page(listing_id: int):
    listing = _overseen(db.session.get(Listing, listing_id))
    return _take_down(listing, listing.producer_id, f"listing-{listing.id}", take_down_listing,
                      _("“%(title)s” is taken down; its owner sees your reason.", title=listing.title))


@bp.post("/orders/<int:order_id>/takedown")
def take_down_order_page(order_id: int):
    order = _overseen(db.session.get(DemandOrder, order_id))
    return _take_down(order, order.distributor_id, f"order-{order.id}", take_down_order,
                      _("“%(title)s” is taken down; its owner sees your reason.", title=order.title))
