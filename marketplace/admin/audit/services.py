"""The audit log as admins read it: one filtered query, newest first, and
each row told in words. Nothing here writes: rows are only ever inserted by
``marketplace.core.events.emit_event`` (and the database refuses the rest)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased

from marketplace.core.audit import AuditLog
from marketplace.core.clock import VIETNAM
from marketplace.core.pagination import Page, paginate
from marketplace.core.validation import InvalidInput, date_range_problems
from marketplace.models import Profile, User
from marketplace.trade.scope import within
from marketplace.web import labels

# Who acted when no person did: "system" (runs, sweeps) or "policy" (auto-approval).
NON_PERSON_ACTORS = ("system", "policy")

@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None         # "system", "policy", an account id, or part of an e-mail or name
    action: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    since: date | None = None        # dates in Vietnam, both ends included
    until: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    row: AuditLog
    actor_email: str | None
    actor_name: str | None

    @property
    def actor_text(self) -> str:
        if self.row.actor_id is None:
            return _("Auto-approval policy") if self.row.actor_label == "policy" else _("System")
        return self.actor_name or self.actor_email or f"#{self.row.actor_id}"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VIETNAM)


def _query(filters: AuditFilters, viewer: User | None = None) -> Select:
    actor, profile = aliased(User), aliased(Profile)
    statement = (within(select(AuditLog, actor.email, profile.display_name), viewer, AuditLog)
                 .outerjoin(actor, actor.id == AuditLog.actor_id)
                 .outerjoin(profile, profile.user_id == actor.id)
                 .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()))
    who = (filters.actor or "").strip()
    if who.lower() in NON_PERSON_ACTORS:
        statement = statement.where(AuditLog.actor_id.is_(None), AuditLog.actor_label == who.lower())
    elif who.isdigit():
        statement = statement.where(AuditLog.actor_id == int(who))
    elif who:
        pattern = f"%{who.lower()}%"
        statement = statement.where(or_(actor.email.ilike(pattern), profile.display_name.ilike(pattern)))
    if filters.action:
        statement = statement.where(AuditLog.action == filters.action)
    if filters.target_type:
        statement = statement.where(AuditLog.target_type == filters.target_type)
    if filters.target_id is not None:
        statement = statement.where(AuditLog.target_id == filters.target_id)
    if filters.since:
        statement = statement.where(AuditLog.created_at >= _start_of(filters.since))
    if filters.until:
        statement = statement.where(AuditLog.created_at < _start_of(filters.until + timedelta(days=1)))
    return statement


def check_filters(filters: AuditFilters) -> None:
    problems = date_range_problems(since=filters.since, until=filters.until)
    if problems:
        raise InvalidInput(problems)
    if filters.since and filters.until and filters.since > filters.until:
        raise InvalidInput({"until": _("The end date is before the start date.")})
    if filters.target_id is not None and filters.target_id < 1:
        raise InvalidInput({"target_id": _("Enter a record number (1 or more).")})


def audit_entries(filters: AuditFilters, page: int | None = None, per_page: int | None = None,
                  viewer: User | None = None) -> Page[AuditEntry]:
    """Entries newest first; for a scoped ``viewer`` only those about records of their provinces."""
    check_filters(filters)
    found = paginate(_query(filters, viewer), page, per_page, scalars=False)
    return Page(items=[AuditEntry(row, email, name) for row, email, name in found.items],
                page=found.page, per_page=found.per_page, total=found.total)


def known_actions() -> list[str]:
    """Every action the code writes, for the filter's choices: from the code,
    not a DISTINCT over a log that only grows."""
    return sorted(labels.ACTION_LABELS)


def summary(row: AuditLog) -> str:
    """The details that matter to a reader, in words: a run's count, a reason,
    a certificate number, a quantity."""
    details = row.details or {}
    parts = []
    if row.action == "match_run.proposed":
        proposed = int(details.get("matches") or 0)
        parts.append(ngettext("proposed %(num)d match", "proposed %(num)d matches", proposed))
    if details.get("quantity") is not None and details.get("unit"):
        parts.append(f"{details['quantity']:,} {details['unit']}")
    if details.get("listing_title") and details.get("order_title"):
        parts.append(f"{details['listing_title']} → {details['order_title']}")
    if details.get("certificate_no"):
        parts.append(_("certificate no. %(number)s", number=details["certificate_no"]))
    if details.get("reason"):
        parts.append(_("reason: %(reason)s", reason=details["reason"]))
    return " · ".join(parts)
