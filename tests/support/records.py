"""What tests read back from the database: a row as stored now, and the
audit rows of one action."""
from sqlalchemy import select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def audit_rows(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all()
