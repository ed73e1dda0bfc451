"""What the admin tests read back: a form's CSRF token, a row as stored now,
and the audit rows of one action."""
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.core.audit import AuditLog
from tests.conftest import csrf_token_from


def csrf(client, path):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def audit_rows(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()
