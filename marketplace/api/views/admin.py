"""/api/v1/admin: moderation of proposed matches, and match runs."""
from __future__ import annotations

from dataclasses import replace
from functools import wraps

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, body_optional, fails_with
from marketplace.api.schemas.base import PageQuery, page_of
from marketplace.api.schemas.matches import (
    AdminMatchQuerySchema, MatchSchema, RequiredReasonSchema, RunDetailSchema, RunInSchema, RunSchema,
    RunWaitQuerySchema,
)
from marketplace.api.views.matches import found, fresh
from marketplace.errors import ApiError
from marketplace.extensions import db
from marketplace.matches import lifecycle
from marketplace.matches.runs import configured_wait, run_totals, start_run, wait_for
from marketplace.matches.search import matches_by_status, recent_runs
from marketplace.models import MatchRun, RunStatus, RunTrigger
from marketplace.models.user import Role

bp = api_blueprint("api_admin", __name__, "Moderation and match runs (admins only).")
FINISHED = (RunStatus.DONE, RunStatus.FAILED)


def admin_only(view):
    """Under token_required: a stranger gets 401, a signed-in non-admin 403."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user().role != Role.ADMIN:
            raise ApiError(403, "forbidden", _("Only an admin can do this."))
        return view(*args, **kwargs)
    return fails_with(403)(wrapper)


def run_figures(run: MatchRun, parts: bool = False) -> dict:
    figures = run_totals(run)
    if parts:
        figures["parts"] = list(run.parts)
    return figures


@bp.route("/admin/matches", endpoint="matches")
class ModerationQueue(MethodView):
    @token_required
    @admin_only
    @bp.arguments(AdminMatchQuerySchema, location="query")
    @bp.response(200, page_of(MatchSchema))
    def get(self, args: dict):
        """Matches by status, oldest first (default: proposed, waiting for moderation)"""
        return matches_by_status(args["status"], page=args.get("page"), per_page=args.get("per_page"))


@bp.route(f"/admin/matches/<{ID}:match_id>/approve", endpoint="approve")
class Approve(MethodView):
    @body_optional
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.response(200, MatchSchema)
    def post(self, match_id: int):
        """Approve a proposal: both parties see it and may accept it until it expires"""
        return fresh(lifecycle.approve(found(match_id), current_user()))


@bp.route(f"/admin/matches/<{ID}:match_id>/reject", endpoint="reject")
class Reject(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(RequiredReasonSchema)
    @bp.response(200, MatchSchema)
    def post(self, data: dict, match_id: int):
        """Reject a proposal (reason required); its quantity is released"""
        return fresh(lifecycle.reject(found(match_id), current_user(), data["reason"]))


@bp.route("/admin/match-runs", endpoint="runs")
class Runs(MethodView):
    @token_required
    @admin_only
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, page_of(RunSchema))
    def get(self, args: dict):
        """Recent match runs, newest first"""
        page = recent_runs(page=args.get("page"), per_page=args.get("per_page"))
        return replace(page, items=[run_totals(run) for run in page.items])

    @body_optional
    @token_required
    @admin_only
    @bp.arguments(RunWaitQuerySchema, location="query")
    @bp.arguments(RunInSchema, required=False)
    @bp.response(202, RunDetailSchema)
    @bp.alt_response(201, schema=RunDetailSchema, description="With wait=1: the run finished in time.")
    def post(self, query: dict, body: dict):
        """Start a match run

        Over one category, or every category without one. The workers run
        it: the answer is 202 with the queued run. With `wait=1` the request
        waits for it (up to the configured time): 201 with its figures once
        finished, else 202 as it stands.
        """
        run = start_run(RunTrigger.ADMIN, category=(body or {}).get("category"), requested_by=current_user(),
                        dispatch=True)
        if not query["wait"] or run.status in FINISHED:
            return run_figures(run, parts=True), 201 if run.status in FINISHED else 202
        run = wait_for(run.id, configured_wait())
        return run_figures(run, parts=True), 201 if run.status in FINISHED else 202


@bp.route(f"/admin/match-runs/<{ID}:run_id>", endpoint="run")
class OneRun(MethodView):
    @token_required
    @admin_only
    @fails_with(404)
    @bp.response(200, RunDetailSchema)
    def get(self, run_id: int):
        """One run with its parts"""
        run = db.session.get(MatchRun, run_id)
        if run is None:
            raise ApiError(404, "not_found", _("No such run."))
        return run_figures(run, parts=True)
