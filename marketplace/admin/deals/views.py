"""/admin/deals: every deal, filtered, with both parties' contacts and a link to its deal room."""
from __future__ import annotations

from flask import render_template, request

from marketplace.admin import bp
from marketplace.admin.deals.forms import DealFilterForm
from marketplace.admin.deals.services import DealFilters, deal_list
from marketplace.auth.permissions import current_account as me
from marketplace.core.pagination import requested_page as page_number
from marketplace.matches.contacts import contact_of
from marketplace.models import MatchStatus


@bp.get("/deals")
def deals():
    form = DealFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/deals.html", form=form, results=None, contact_of=contact_of), 400
    filters = DealFilters(status=MatchStatus(form.status.data) if form.status.data else None,
                          category=form.category.data or "", province=form.province.data or "",
                          text=(form.q.data or "").strip())
    return render_template("admin/deals.html", form=form, results=deal_list(filters, page=page_number(), viewer=me()),
                           contact_of=contact_of)
