"""The audit log page: every admin action and every match state change,
filtered by who, what, which record and when. Read-only."""
from __future__ import annotations

from flask import render_template, request, url_for
from werkzeug.routing import BuildError

from marketplace.admin import bp
from marketplace.admin.audit.forms import AuditFilterForm
from marketplace.admin.audit.services import AuditFilters, audit_entries, summary
from marketplace.auth.permissions import current_account as me
from marketplace.core.pagination import Page, requested_page
from marketplace.core.validation import InvalidInput
from marketplace.web.forms import apply_field_errors

# Where an admin goes to see a record the log names.
TARGET_PAGES = {
    "match": ("matches.detail", "match_id"),
    "match_run": ("admin.run", "run_id"),
    "listing": ("listings.detail", "listing_id"),
    "order": ("orders.detail", "order_id"),
    "user": ("admin.user", "user_id"),
}


def target_url(target_type: str, target_id: int) -> str | None:
    endpoint, argument = TARGET_PAGES.get(target_type, (None, None))
    if endpoint is None:
        return None
    try:
        return url_for(endpoint, **{argument: target_id})
    except BuildError:
        return None


@bp.get("/audit")
def audit():
    form = AuditFilterForm(formdata=request.args)
    results, status = Page(items=[], page=1, per_page=1, total=0), 200
    if form.validate():
        try:
            results = audit_entries(form.filters(), page=requested_page(), viewer=me())
        except InvalidInput as error:
            apply_field_errors(form, error.fields, error.message)
            status = 400
    else:
        status = 400
    return render_template("admin/audit.html", form=form, results=results, target_url=target_url, summary=summary,
                           unfiltered=form.filters() == AuditFilters()), status
