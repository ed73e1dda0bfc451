"""Admin pages for matching: the moderation queue of proposed matches (with
filters, bulk actions and the auto-approval policy's switch), the policy
page, and match runs (start one, see recent ones and one run's parts).
Admins only."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from marketplace.admin import bp, national_only
from marketplace.admin.moderation.forms import (
    ApproveForm,
    BulkForm,
    PolicyForm,
    QueueFilterForm,
    RejectForm,
    SwitchOffForm,
)
from marketplace.admin.moderation.policy import update_policy
from marketplace.admin.moderation.services import (
    QueueFilters,
    check_filters,
    moderate_many,
    producer_histories,
    proposal_queue,
    reject_reason,
)
from marketplace.auth.permissions import current_account as me
from marketplace.core.extensions import db
from marketplace.core.pagination import requested_page as page_number
from marketplace.core.validation import InvalidInput, WrongState
from marketplace.matches import lifecycle, ratings
from marketplace.matches.auto_approval import STANDING_DAYS, STANDING_MAX_REFUSALS, current_policy
from marketplace.matches.search import visible_match
from marketplace.models import Rating
from marketplace.trade.scope import is_scoped, oversees
from marketplace.web.forms import apply_field_errors

QUEUE_ARGS = ("category", "province", "max_score", "unverified", "page")


def queue_args() -> dict:
    """The queue's filters and page from this request's query string, to keep
    them on the action URLs and on the way back to the queue."""
    return {name: request.args[name] for name in QUEUE_ARGS if request.args.get(name)}


def _back_to_queue():
    return redirect(url_for(".matches", **queue_args()))


def _filters(form: QueueFilterForm) -> QueueFilters | None:
    """The parsed filters, or None when one is wrong (its message is on the form)."""
    if not form.validate():
        return None
    try:
        return check_filters(category=form.category.data or None, province=form.province.data or None,
                             max_score=None if form.max_score.data is None else form.max_score.data / 100,
                             unverified_only=bool(form.unverified.data))
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return None


def _render_queue(status: int = 200, failed_id: int | None = None, failed_form=None, bulk_form=None):
    filter_form = QueueFilterForm(formdata=request.args)
    filters = _filters(filter_form)
    results = proposal_queue(filters, page=page_number(), viewer=me()) if filters is not None else None
    histories = producer_histories(m.producer_id for m in results.items) if results else {}
    return render_template("admin/matches.html", results=results, filter_form=filter_form, histories=histories,
                           approve_form=ApproveForm(), reject_form=RejectForm(), failed_id=failed_id,
                           failed_form=failed_form, bulk_form=bulk_form or BulkForm(formdata=None),
                           switch_off_form=SwitchOffForm(), policy=current_policy(),
                           args=queue_args(), filtered=filters is None or filters.active), status


@bp.get("/matches")
def matches():
    return _render_queue()


def _proposal(match_id: int):
    return visible_match(me(), match_id) or abort(404)


@bp.post("/matches/<int:match_id>/approve")
def approve(match_id: int):
    match = _proposal(match_id)
    if ApproveForm().validate_on_submit():
        try:
            lifecycle.approve(match, me())
        except WrongState as error:
            flash(error.message, "error")
        else:
            flash(_("Match #%(id)d is approved; both parties can now answer.", id=match.id), "success")
    return _back_to_queue()


@bp.post("/matches/<int:match_id>/reject")
def reject(match_id: int):
    match = _proposal(match_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _back_to_queue()
    try:
        lifecycle.reject(match, me(), reject_reason(form.reason_code.data, form.reason.data))
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return _render_queue(400, failed_id=match.id, failed_form=form)
    except WrongState as error:
        flash(error.message, "error")
    else:
        flash(_("Match #%(id)d is rejected; its quantity is free again.", id=match.id), "success")
    return _back_to_queue()


def bulk_summary(outcomes, action: str, scoped: bool = False) -> tuple[str, str]:
    """What happened, honestly: how many went through and why the others did not.
    A scoped admin is not told which missing ones exist elsewhere (as their 404s)."""
    done = sum(1 for o in outcomes if o.ok)
    stale = sum(1 for o in outcomes if o.stale)
    missing = sum(1 for o in outcomes if o.missing)
    if action == "approve":
        parts = [ngettext("%(num)d approved", "%(num)d approved", done)]
    else:
        parts = [ngettext("%(num)d rejected", "%(num)d rejected", done)]
    if stale:
        parts.append(ngettext("%(num)d was no longer waiting (already handled)",
                              "%(num)d were no longer waiting (already handled)", stale))
    if missing and scoped:
        parts.append(ngettext("%(num)d no longer exists or is outside your provinces",
                              "%(num)d no longer exist or are outside your provinces", missing))
    elif missing:
        parts.append(ngettext("%(num)d no longer exists", "%(num)d no longer exist", missing))
    return "; ".join(parts) + ".", "success" if done and not (stale or missing) else ("error" if not done else "info")


@bp.post("/matches/bulk")
def bulk():
    form = BulkForm()
    if not form.validate_on_submit():
        return _back_to_queue()
    action = form.action.data
    try:
        outcomes = moderate_many(form.chosen_ids(), action, me(), form.reason_code.data, form.reason.data)
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return _render_queue(400, bulk_form=form)
    message, category = bulk_summary(outcomes, action, is_scoped(me()))
    flash(message, category)
    return _back_to_queue()


def _policy_form_data(policy) -> dict:
    return {"enabled": policy.enabled, "min_score": round(policy.min_score * 100),
            "require_verified_producer": policy.require_verified_producer,
            "require_good_standing": policy.require_good_standing}


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    stored = current_policy()
    form = PolicyForm(data=_policy_form_data(stored))
    if request.method == "POST":
        national_only()
    if request.method == "POST" and form.validate_on_submit():
        try:
            update_policy(me(), enabled=bool(form.enabled.data), min_score=form.min_score.data / 100,
                          require_verified_producer=bool(form.require_verified_producer.data),
                          require_good_standing=bool(form.require_good_standing.data))
        except InvalidInput as error:
            apply_field_errors(form, error.fields, error.message)
        else:
            flash(_("The auto-approval policy is saved."), "success")
            return redirect(url_for(".policy"))
    return render_template("admin/policy.html", form=form, policy=stored, switch_off_form=SwitchOffForm(),
                           standing_days=STANDING_DAYS, standing_max=STANDING_MAX_REFUSALS), \
        400 if request.method == "POST" else 200


@bp.post("/policy/off")
def policy_off():
    national_only()
    if SwitchOffForm().validate_on_submit():
        update_policy(me(), enabled=False)
        flash(_("Auto-approval is off. Every new proposal waits for an admin."), "success")
    if request.form.get("next") == "policy":
        return redirect(url_for(".policy"))
    return _back_to_queue()


@bp.post("/ratings/<int:rating_id>/hide")
def hide_rating(rating_id: int):
    """An abusive review leaves every page; its author is told why (audited)."""
    rating = db.session.get(Rating, rating_id)
    if rating is None or not oversees(me(), rating):
        abort(404)
    back = request.form.get("next") or url_for("admin.matches")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("admin.matches")
    try:
        ratings.hide_rating(rating, me(), request.form.get("reason"))
    except (InvalidInput, WrongState) as error:
        flash(getattr(error, "message", None) or next(iter(error.fields.values()), str(error)), "error")
    else:
        flash(_("The review is hidden; its author is told why."), "success")
    return redirect(back)
