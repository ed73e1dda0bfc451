"""A message thread per match: the two parties write to each other, the
programme staff read along and may write as the programme or hide a message.

Who reads and who writes:

- The thread exists from approval on. A proposal still waiting for
  moderation (or one rejected before it was ever approved) has none: the
  parties do not see such a match at all, and an admin sees no thread.
- Readers: the producer and the distributor of the match, and every admin.
  Anyone else gets the same 404 as for the match itself, because the caller
  loads the match with ``search.visible_match``.
- Writers: the two parties and admins (``author_role`` "admin", shown as the
  programme staff, never by name), while the match is approved, confirmed,
  shipped or fulfilled (a delivered deal may still need a word about an
  invoice or a return). Once a match is declined, rejected, expired or
  cancelled its thread is read-only for everyone, admins included.
- Messages are plain text of 1 to ``TEXT_MAX`` characters, stored as typed
  (line breaks as ``\\n``) and escaped when shown. Nobody edits or deletes
  one; an admin hides one with a reason (audited): the parties then read
  "hidden by the programme staff: <reason>", admins still read the text.

Each message tells the other party (both parties when an admin writes)
through the one notifier, once per burst: while the recipient has an unread
"match.message" notification for the match, no other is made. Reading the
thread marks those notifications read, so the next message after that is
announced again. Posting is limited per user (``MESSAGE_RATE_LIMIT``).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app
from flask_babel import gettext as _
from limits import parse
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db, limiter
from marketplace.core.pagination import Page, clamp_page, paginate
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches.lifecycle import checked_reason, event_details, party_of
from marketplace.models import Match, MatchMessage, Notification, User
from marketplace.models.message import TEXT_MAX
from marketplace.models.user import Role, UserStatus
from marketplace.notifications.services import notify

KIND = "match.message"
# By value, so "shipped" counts as soon as the lifecycle has it.
WRITABLE = frozenset({"approved", "confirmed", "shipped", "fulfilled"})
THREAD_PER_PAGE = 20


class RateLimited(Exception):
    """Too many messages from one user in the configured window (429)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NoSuchMessage(LookupError):
    """No message with this id in this match's thread (404)."""


@dataclass(frozen=True)
class Thread:
    """What a reader may see and do with a match's thread."""
    readable: bool
    writable: bool
    role: str | None         # the reader's author role: "producer", "distributor", "admin" or None


def thread_of(match: Match, user: User) -> Thread:
    role = "admin" if user.role == Role.ADMIN else party_of(match, user)
    readable = role is not None and match.approved_at is not None
    return Thread(readable=readable, writable=readable and match.status.value in WRITABLE, role=role)


def checked_text(text: str | None) -> str:
    """The message as stored: as typed, with line breaks as ``\\n``."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InvalidInput({"text": _("Write a message first.")})
    if len(text) > TEXT_MAX:
        raise InvalidInput({"text": _("A message has at most %(max)d characters; this one has %(count)d.",
                                      max=TEXT_MAX, count=len(text))})
    if "\x00" in text:
        raise InvalidInput({"text": _("The message contains a character that cannot be stored.")})
    return text


def _within_rate(user: User) -> None:
    if not getattr(limiter, "enabled", True):
        return
    limit = parse(current_app.config["MESSAGE_RATE_LIMIT"])
    try:
        allowed = limiter.limiter.hit(limit, "match-message", str(user.id))
    except Exception:  # the limiter's storage (Redis) is down: a message is worth more than the limit
        current_app.logger.warning("Message rate limit not checked for user %s", user.id, exc_info=True)
        return
    if not allowed:
        raise RateLimited(_("You are sending messages too fast. Please wait a minute and try again."))


def post_message(match: Match, user: User, text: str | None) -> MatchMessage:
    """``user`` writes in ``match``'s thread; the other side is told once per burst."""
    thread = thread_of(match, user)
    if not thread.readable:
        raise NotAllowed(_("Only the two parties and the programme staff can write here."))
    if not thread.writable:
        raise WrongState(_("This match is closed; its messages can be read but no longer answered."))
    text = checked_text(text)
    _within_rate(user)
    message = MatchMessage(match_id=match.id, author_id=user.id, author_role=thread.role, text=text,
                           created_at=utcnow())
    db.session.add(message)
    db.session.flush([message])
    if thread.role == "admin":
        # Every admin action is audited; the parties' own messages are not state changes.
        emit_event("match.message_posted", target_type="match", target_id=match.id, actor=user,
                   message_id=message.id)
    recipients = [match.producer_id, match.distributor_id] if thread.role == "admin" else \
        [match.distributor_id if thread.role == "producer" else match.producer_id]
    payload = None
    for user_id in recipients:
        recipient = db.session.get(User, user_id)
        if recipient is None or recipient.status != UserStatus.ACTIVE:
            continue
        key = _burst_key(match.id, recipient.id)
        if key is None:
            continue
        payload = payload or {**event_details(match), "author_role": thread.role,
                              "target_type": "match", "target_id": match.id}
        notify(recipient, KIND, payload, key)
    db.session.commit()
    return one_message(message.id)


def _burst_key(match_id: int, user_id: int) -> str | None:
    """The dedupe key of the next "new messages" notice, or None while one is unread.

    The key names the last notice the recipient has read: two messages
    posted at the same moment compute the same key, and the unique index
    keeps one notification of the two."""
    prefix = f"{KIND}:{match_id}:{user_id}:"
    last = db.session.execute(select(Notification.id, Notification.read_at).where(
        Notification.user_id == user_id, Notification.kind == KIND, Notification.dedupe_key.startswith(prefix))
        .order_by(Notification.id.desc()).limit(1)).first()
    if last is not None and last.read_at is None:
        return None
    return f"{prefix}{last.id if last else 0}"


def hide_message(match: Match, message_id: int, admin: User, reason: str | None) -> MatchMessage:
    """An admin hides one message with a reason; the text stays for the admins and the audit."""
    if admin.role != Role.ADMIN:
        raise NotAllowed(_("Only an admin can hide a message."))
    reason = checked_reason(reason, required=True)
    message = db.session.scalar(select(MatchMessage).where(MatchMessage.id == message_id,
                                                           MatchMessage.match_id == match.id))
    if message is None:
        raise NoSuchMessage(message_id)
    if message.hidden:
        raise WrongState(_("This message is already hidden."))
    now = utcnow()
    hidden = db.session.execute(
        update(MatchMessage).where(MatchMessage.id == message.id, MatchMessage.hidden_at.is_(None))
        .values(hidden_at=now, hidden_by_id=admin.id, hidden_reason=reason)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not hidden:
        db.session.rollback()
        raise WrongState(_("This message is already hidden."))
    emit_event("match.message_hidden", target_type="match", target_id=match.id, actor=admin,
               message_id=message.id, author_role=message.author_role, reason=reason)
    db.session.commit()
    return one_message(message.id)


def one_message(message_id: int) -> MatchMessage:
    """A message as it is now, with its author loaded (for showing it)."""
    return db.session.scalar(select(MatchMessage).where(MatchMessage.id == message_id)
                             .options(joinedload(MatchMessage.author)).execution_options(populate_existing=True))


def thread_page(match_id: int, page: int | None = None, per_page: int | None = None) -> Page[MatchMessage]:
    """One page of the thread, oldest first; without ``page``, the last one (the newest messages)."""
    statement = (select(MatchMessage).where(MatchMessage.match_id == match_id).order_by(MatchMessage.id)
                 .options(joinedload(MatchMessage.author)))
    if page is None:
        _first, size = clamp_page(1, per_page)
        total = db.session.scalar(select(func.count(MatchMessage.id)).where(MatchMessage.match_id == match_id))
        page = max(1, ceil((total or 0) / size))
    return paginate(statement, page, per_page)


def mark_thread_read(match_id: int, reader: User) -> int:
    """The reader's "new messages" notices of this match count as read, so
    the next message is announced again. Commits when it marked any."""
    marked = db.session.execute(
        update(Notification).where(Notification.user_id == reader.id, Notification.kind == KIND,
                                   Notification.dedupe_key.startswith(f"{KIND}:{match_id}:{reader.id}:"),
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if marked:
        db.session.commit()
    return marked


def read_thread(match: Match, reader: User, page: int | None = None,
                per_page: int | None = None) -> Page[MatchMessage]:
    """The page a reader asked for, after marking their notices of it read."""
    match_id = match.id
    mark_thread_read(match_id, reader)
    return thread_page(match_id, page, per_page)
