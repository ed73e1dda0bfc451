"""Labels for every stored code a reader meets (statuses, categories, units,
certifications, provinces, roles, audit actions), in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.geo import get_province
from marketplace.models import ListingStatus, MatchStatus, OrderStatus, RunStatus, RunTrigger
from marketplace.reference.categories import all_groups, get_category
from marketplace.reference.certifications import get_certification
from marketplace.reference.units import get_unit
from marketplace.web.i18n import current_locale

LISTING_STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Draft"),
    ListingStatus.ACTIVE: _l("On sale"),
    ListingStatus.PAUSED: _l("Paused"),
    ListingStatus.SOLD_OUT: _l("Sold out"),
    ListingStatus.EXPIRED: _l("Expired"),
    ListingStatus.REMOVED: _l("Removed"),
}

ORDER_STATUS_LABELS = {
    OrderStatus.OPEN: _l("Open"),
    OrderStatus.PARTIALLY_MATCHED: _l("Partly matched"),
    OrderStatus.MATCHED: _l("Matched"),
    OrderStatus.FULFILLED: _l("Fulfilled"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.EXPIRED: _l("Expired"),
}


MATCH_STATUS_LABELS = {
    MatchStatus.PROPOSED: _l("Under review"),
    MatchStatus.APPROVED: _l("Waiting for answers"),
    MatchStatus.CONFIRMED: _l("Confirmed"),
    MatchStatus.SHIPPED: _l("On the way"),
    MatchStatus.FULFILLED: _l("Delivered"),
    MatchStatus.REJECTED: _l("Rejected"),
    MatchStatus.DECLINED: _l("Declined"),
    MatchStatus.EXPIRED: _l("Expired"),
    MatchStatus.CANCELLED: _l("Cancelled"),
}

ROLE_LABELS = {"producer": _l("Producer"), "distributor": _l("Distributor"), "admin": _l("Admin")}

ACTION_LABELS = {
    "match.proposed": _l("offered a deal directly (waits for moderation)"),
    "match.offer_made": _l("proposed new terms on a match"),
    "match.offer_accepted": _l("accepted new terms on a match"),
    "match.offer_declined": _l("declined new terms on a match"),
    "match.approved": _l("approved a proposed match"),
    "match.rejected": _l("rejected a proposed match"),
    "match.accepted": _l("accepted a match"),
    "match.confirmed": _l("confirmed a match (both parties accepted)"),
    "match.declined": _l("declined a match"),
    "match.cancelled": _l("cancelled a match"),
    "match.fulfilled": _l("confirmed receipt: match fulfilled"),
    "match.shipped": _l("recorded a shipment"),
    "match.rated": _l("rated the other party of a deal"),
    "rating.hidden": _l("hid a review"),
    "match.expired": _l("a match expired unanswered"),
    "match.message_posted": _l("wrote in a match's thread as the programme"),
    "match.message_hidden": _l("hid a message in a match's thread"),
    "match_run.proposed": _l("a match run proposed matches"),
    "match_run.started": _l("started a match run"),
    "listing.sold_out": _l("a listing is fully promised"),
    "listing.taken_down": _l("took down a listing"),
    "listing.removed": _l("removed a listing"),
    "order.filled": _l("an order is fully matched"),
    "order.fulfilled": _l("an order is fully delivered"),
    "order.taken_down": _l("took down an order"),
    "order.cancelled": _l("cancelled an order"),
    "user.verified": _l("verified a producer"),
    "user.profile_edited": _l("edited an account's profile"),
    "user.certificate_sent": _l("sent a scan of the OCOP certificate"),
    "user.suspended": _l("suspended an account"),
    "user.reinstated": _l("reinstated an account"),
    "user.scope_changed": _l("changed the provinces an admin oversees"),
    "policy.changed": _l("changed the auto-approval policy"),
    "account.password_reset": _l("asked for a password reset link"),
    "account.password_changed_by_link": _l("set a new password with a reset link"),
    "account.confirm_email": _l("was sent an e-mail confirmation link"),
    "account.email_confirmed": _l("confirmed their e-mail"),
    "account.signup_attempt": _l("someone tried to sign up with this account's e-mail"),
    "lot.created": _l("recorded a lot"),
    "lot.updated": _l("edited a lot"),
}

TARGET_LABELS = {
    "match": _l("Match"), "match_run": _l("Match run"), "listing": _l("Listing"), "order": _l("Order"),
    "user": _l("Account"), "approval_policy": _l("Auto-approval policy"), "rating": _l("Review"),
    "lot": _l("Lot"),
}


RUN_STATUS_LABELS = {
    RunStatus.QUEUED: _l("Waiting for a worker"),
    RunStatus.RUNNING: _l("Running"),
    RunStatus.DONE: _l("Finished"),
    RunStatus.FAILED: _l("Failed"),
}

RUN_TRIGGER_LABELS = {
    RunTrigger.SCHEDULE: _l("Scheduled"),
    RunTrigger.CHANGE: _l("After a listing or order changed"),
    RunTrigger.ADMIN: _l("Started by an admin"),
    RunTrigger.CLI: _l("Started from the command line"),
}


def run_status_label(status) -> str:
    return str(RUN_STATUS_LABELS.get(RunStatus(getattr(status, "value", status)), status))


def run_trigger_label(trigger) -> str:
    return str(RUN_TRIGGER_LABELS.get(RunTrigger(getattr(trigger, "value", trigger)), trigger))


def listing_status_label(status) -> str:
    return LISTING_STATUS_LABELS.get(status, status)


def order_status_label(status) -> str:
    return ORDER_STATUS_LABELS.get(status, status)


def category_groups():
    """The groups and their sub-categories, labelled in the reader's language."""
    here = current_locale()
    return [(g.code, g.label(here), [(c.code, c.label(here)) for c in g.children]) for g in all_groups()]


def category_label(code: str | None) -> str:
    category = get_category(code or "")
    return category.label(current_locale()) if category else (code or "")


def unit_label(code: str | None) -> str:
    unit = get_unit(code)
    return unit.label(current_locale()) if unit else (code or "")


def certification_label(code: str | None) -> str:
    certification = get_certification(code)
    return certification.label(current_locale()) if certification else (code or "")


def match_status_label(status) -> str:
    return MATCH_STATUS_LABELS.get(status, status)


OFFER_STATUS_LABELS = {
    "open": _l("waiting for an answer"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "countered": _l("answered with other terms"),
    "closed": _l("ended with the match"),
}


def offer_status_label(status) -> str:
    value = getattr(status, "value", status)
    return OFFER_STATUS_LABELS.get(value, value)


def role_label(role) -> str:
    return ROLE_LABELS.get(getattr(role, "value", role), role)


def province_name(code: str | None) -> str:
    province = get_province(code) if code else None
    return province.name if province else (code or "")


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def target_label(target_type: str) -> str:
    label = TARGET_LABELS.get(target_type)
    return str(label) if label is not None else target_type
