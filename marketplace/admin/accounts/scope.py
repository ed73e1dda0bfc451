"""Setting which provinces an admin account oversees (see
``marketplace.trade.scope`` for what that filters). Like admin accounts
themselves, scopes are set from the command line by whoever runs the
servers: a scoped admin must not be able to widen their own scope, and the
web has no page that makes admins."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete

from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput
from marketplace.geo import resolve_province
from marketplace.models import AdminProvince, User
from marketplace.models.user import Role
from marketplace.trade.scope import forget_provinces_of, provinces_of


def province_codes(names) -> tuple[str, ...]:
    """Codes for what was typed (any name, code or former province, as elsewhere); every unknown one is named."""
    codes, unknown = [], []
    for name in names:
        found = resolve_province(name)
        (codes.append(found.code) if found else unknown.append(name))
    if unknown:
        raise InvalidInput({"provinces": _("Unknown province: %(names)s.", names=", ".join(unknown))})
    return tuple(sorted(set(codes)))


def set_admin_scope(admin: User, names, actor: User | None = None) -> tuple[str, ...]:
    """Limits ``admin`` to the provinces ``names`` (none: the whole country);
    audited with the old and new codes, one commit. Returns the new codes."""
    if admin.role != Role.ADMIN:
        raise InvalidInput({"email": _("Only an admin account has a scope.")})
    codes = province_codes(names)
    before = provinces_of(admin)
    if codes == before:
        return codes
    db.session.execute(delete(AdminProvince).where(AdminProvince.user_id == admin.id))
    db.session.add_all(AdminProvince(user_id=admin.id, province_code=code) for code in codes)
    emit_event("user.scope_changed", target_type="user", target_id=admin.id, actor=actor,
               provinces_before=list(before), provinces=list(codes))
    db.session.commit()
    forget_provinces_of(admin)
    return codes
