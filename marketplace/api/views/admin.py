"""/api/v1/admin: moderation of proposed matches (one by one or in bulk), the
auto-approval policy, and match runs."""
from __future__ import annotations

from dataclasses import replace
from functools import wraps

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.admin.moderation.policy import update_policy
from marketplace.admin.moderation.services import (
    check_filters,
    moderate_many,
    proposal_queue,
    reject_reason,
    with_histories,
)
from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, body_optional, fails_with
from marketplace.api.schemas.base import PageQuery, page_of
from marketplace.api.schemas.matches import (
    AdminMatchQuerySchema,
    AdminMatchSchema,
    AdminRejectSchema,
    BulkInSchema,
    BulkResultSchema,
    MatchSchema,
    PolicyInSchema,
    PolicySchema,
    RunDetailSchema,
    RunInSchema,
    RunSchema,
    RunWaitQuerySchema,
)
from marketplace.api.views.matches import found, fresh
from marketplace.core.errors import ApiError
from marketplace.core.extensions import db
from marketplace.matches import lifecycle
from marketplace.matches.auto_approval import STANDING_DAYS, STANDING_MAX_REFUSALS, current_policy
from marketplace.matches.runs import configured_wait, run_totals, start_run, wait_for
from marketplace.matches.search import recent_runs
from marketplace.models import MatchRun, RunStatus, RunTrigger
from marketplace.models.user import Role
from marketplace.trade.scope import is_scoped

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


def national_only() -> None:
    """Runs and the auto-approval policy cover the whole country: a scoped admin reads them, never changes them."""
    if is_scoped(current_user()):
        raise ApiError(403, "forbidden", _("Match runs and the auto-approval policy cover the whole country: "
                                           "only an admin of the whole country changes them."))


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
    @bp.response(200, page_of(AdminMatchSchema))
    def get(self, args: dict):
        """Matches by status, oldest first (default: proposed, waiting for moderation)

        Filters: `category` (a sub-category or a whole group), `province` (the
        listing's province or the order's delivery province), `max_score`
        (strictly below, 0 to 1), `unverified` (only unverified producers).
        Each match carries its producer's record (fulfilled and cancelled
        matches) and whether the producer is verified.
        """
        filters = check_filters(category=args.get("category"), province=args.get("province"),
                                max_score=args.get("max_score"), unverified_only=args["unverified"])
        page = proposal_queue(filters, page=args.get("page"), per_page=args.get("per_page"), status=args["status"],
                              viewer=current_user())
        return replace(page, items=with_histories(page.items))


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
    @bp.arguments(AdminRejectSchema)
    @bp.response(200, MatchSchema)
    def post(self, data: dict, match_id: int):
        """Reject a proposal with a reason; its quantity is released

        A standard `reason_code`, free text in `reason`, or both; the stored
        reason is the standard reason's label followed by the text.
        """
        match = found(match_id)
        return fresh(lifecycle.reject(match, current_user(), reject_reason(data.get("reason_code"),
                                                                            data.get("reason"))))


@bp.route("/admin/matches/bulk", endpoint="bulk")
class Bulk(MethodView):
    @token_required
    @admin_only
    @bp.arguments(BulkInSchema)
    @bp.response(200, BulkResultSchema)
    def post(self, data: dict):
        """Approve or reject up to 100 proposals

        Each id is handled on its own: the answer lists, per id, whether it
        went through and if not why (already handled by someone else, or no
        such match). A rejection's reason is checked before anything changes.
        """
        outcomes = moderate_many(data["ids"], data["action"], current_user(), data.get("reason_code"),
                                 data.get("reason"))
        return {"results": [{"id": o.id, "ok": o.ok, "error": o.error} for o in outcomes],
                "done": sum(o.ok for o in outcomes), "already_handled": sum(o.stale for o in outcomes),
                "not_found": sum(o.missing for o in outcomes)}


def policy_body() -> dict:
    policy = current_policy()
    return {**policy.settings(), "updated_at": policy.updated_at, "updated_by_id": policy.updated_by_id,
            "good_standing": _("Active (not suspended), and cancelled or declined fewer than %(max)d matches "
                               "themselves in the last %(days)d days.", max=STANDING_MAX_REFUSALS,
                               days=STANDING_DAYS)}


@bp.route("/admin/approval-policy", endpoint="approval_policy")
class Policy(MethodView):
    @token_required
    @admin_only
    @bp.response(200, PolicySchema)
    def get(self):
        """The auto-approval policy (off by default)"""
        return policy_body()

    @token_required
    @admin_only
    @bp.arguments(PolicyInSchema)
    @bp.response(200, PolicySchema)
    def put(self, data: dict):
        """Change the auto-approval policy

        Any of the settings; those left out keep their value. Takes effect
        for the next match run's proposals. Audited as `policy.changed`.
        """
        national_only()
        update_policy(current_user(), **data)
        return policy_body()


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
        national_only()
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
