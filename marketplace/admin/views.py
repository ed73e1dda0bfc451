"""Admin pages for matching: the moderation queue of proposed matches, and
match runs (start one, see recent ones and one run's parts). Admins only."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.admin import bp
from marketplace.admin.forms import ApproveForm, RejectForm, StartRunForm
from marketplace.auth.permissions import current_account as me, role_required
from marketplace.extensions import db
from marketplace.forms import apply_field_errors
from marketplace.matches import lifecycle
from marketplace.matches.runs import run_totals, start_run
from marketplace.matches.search import matches_by_status, recent_runs, visible_match
from marketplace.models import MatchRun, MatchStatus, RunTrigger
from marketplace.models.user import Role
from marketplace.pagination import requested_page as page_number
from marketplace.validation import InvalidInput, WrongState

admin_required = role_required(Role.ADMIN)


@bp.before_request
@admin_required
def only_admins():
    """Every page here is an admin's; checked once for the whole blueprint."""


def _render_queue(status: int = 200, failed_id: int | None = None, failed_form=None):
    results = matches_by_status(MatchStatus.PROPOSED, page=page_number())
    return render_template("admin/matches.html", results=results, approve_form=ApproveForm(),
                           reject_form=RejectForm(), failed_id=failed_id, failed_form=failed_form), status


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
    return redirect(url_for(".matches", page=request.args.get("page")))


@bp.post("/matches/<int:match_id>/reject")
def reject(match_id: int):
    match = _proposal(match_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return redirect(url_for(".matches"))
    try:
        lifecycle.reject(match, me(), form.reason.data)
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        return _render_queue(400, failed_id=match.id, failed_form=form)
    except WrongState as error:
        flash(error.message, "error")
    else:
        flash(_("Match #%(id)d is rejected; its quantity is free again.", id=match.id), "success")
    return redirect(url_for(".matches", page=request.args.get("page")))


@bp.route("/match-runs", methods=["GET", "POST"])
def runs():
    form = StartRunForm()
    if request.method == "POST" and form.validate_on_submit():
        category = form.category.data or None
        if category is not None and category not in form.leaf_codes:
            form.category.errors = [*form.category.errors, _("Not a valid choice.")]
        else:
            run = start_run(RunTrigger.ADMIN, category=category, requested_by=me(), dispatch=True)
            flash(_("Run #%(id)d is queued; the workers start it in a moment.", id=run.id), "success")
            return redirect(url_for(".run", run_id=run.id))
    results = recent_runs(page=page_number())
    return render_template("admin/runs.html", form=form, results=results,
                           figures=[run_totals(run) for run in results.items]), \
        400 if request.method == "POST" else 200


@bp.get("/match-runs/<int:run_id>")
def run(run_id: int):
    found = db.session.get(MatchRun, run_id) or abort(404)
    return render_template("admin/run.html", run=found, figures=run_totals(found))
