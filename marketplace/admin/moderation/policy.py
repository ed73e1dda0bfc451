"""Changing the auto-approval policy (admins only, audited). Applying it is
the match workflow's job: ``matches.auto_approval``."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput
from marketplace.matches.auto_approval import SETTINGS, Policy, current_policy
from marketplace.models import User
from marketplace.models.policy import POLICY_ID, ApprovalPolicy


def update_policy(admin: User, **changes) -> Policy:
    """Changes the given settings; emits ``policy.changed`` with the old and
    new values when anything changed. InvalidInput names a bad value."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise InvalidInput({name: _("Unknown field.") for name in sorted(unknown)})
    if "min_score" in changes:
        score = changes["min_score"]
        if score is None or isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            raise InvalidInput({"min_score": _("Enter a score from 0 to 100.")})
        changes["min_score"] = round(float(score), 4)
    for name in ("enabled", "require_verified_producer", "require_good_standing"):
        if name in changes and not isinstance(changes[name], bool):
            raise InvalidInput({name: _("Enter true or false.")})
    row = db.session.get(ApprovalPolicy, POLICY_ID, with_for_update=True, populate_existing=True)
    if row is None:
        # The first change writes the row; of two admins doing so at once, the second changes the first's.
        try:
            with db.session.begin_nested():
                db.session.add(ApprovalPolicy(id=POLICY_ID, **Policy().settings()))
        except IntegrityError:
            pass
        row = db.session.get(ApprovalPolicy, POLICY_ID, with_for_update=True, populate_existing=True)
    before = {name: getattr(row, name) for name in SETTINGS}
    for name, value in changes.items():
        setattr(row, name, value)
    after = {name: getattr(row, name) for name in SETTINGS}
    if after == before:
        db.session.rollback()
        return current_policy()
    row.updated_by_id = admin.id
    row.updated_at = utcnow()
    db.session.flush()
    emit_event("policy.changed", target_type="approval_policy", target_id=POLICY_ID, actor=admin,
               old=before, new=after)
    db.session.commit()
    return current_policy()
