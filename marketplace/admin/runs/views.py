"""Match runs for admins: start one now (all categories or one), and the
history of every run with its figures."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.admin import bp, national_only
from marketplace.admin.runs.forms import StartRunForm
from marketplace.auth.permissions import current_account as me
from marketplace.core.extensions import db
from marketplace.core.pagination import requested_page as page_number
from marketplace.matches.runs import run_totals, start_run
from marketplace.matches.search import recent_runs
from marketplace.models import MatchRun, RunTrigger


@bp.route("/match-runs", methods=["GET", "POST"])
def runs():
    form = StartRunForm()
    if request.method == "POST":
        national_only()
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
