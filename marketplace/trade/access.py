"""The one loader behind every page that changes a listing or an order, as
flaskr's ``get_post(id, check_author=True)``: the owner's own row, or any row
of their provinces for an admin (see trade.scope); 404 when it does not
exist or is someone else's (ids leak nothing), 403 for a role that owns no
such rows."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, Lot, User
from marketplace.models.user import Role
from marketplace.trade.scope import oversees

# Who owns each kind of row: the column that names them and their role.
_OWNERS = {Listing: ("producer_id", Role.PRODUCER), DemandOrder: ("distributor_id", Role.DISTRIBUTOR),
           Lot: ("producer_id", Role.PRODUCER)}


def get_for_change(model: type, row_id: int, user: User, *, admin_too: bool = True):
    owner_column, owner_role = _OWNERS[model]
    if admin_too and user.role == Role.ADMIN:
        row = db.session.get(model, row_id)
        if row is not None and not oversees(user, row):
            row = None
    elif user.role == owner_role:
        row = db.session.scalar(select(model).where(model.id == row_id, getattr(model, owner_column) == user.id))
    else:
        abort(403)
    return row if row is not None else abort(404)
