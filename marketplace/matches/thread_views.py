"""The thread on the match page: the messages (latest page by default), the
form to write one, and the admins' hide buttons. Plain forms with CSRF
tokens, no script. Rules: marketplace/matches/messages.py."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.auth.permissions import current_account as me
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import bp, messages
from marketplace.matches.forms import HideForm, MessageForm
from marketplace.matches.search import visible_match
from marketplace.matches.views import _render_detail
from marketplace.models.message import HIDE_REASON_MAX, TEXT_MAX
from marketplace.web.forms import apply_field_errors


@bp.before_request
def _opening_the_match_reads_its_messages():
    # Before the page loads anything: the commit would expire what it loaded.
    if request.endpoint == "matches.detail" and current_user.is_authenticated:
        messages.mark_thread_read(request.view_args["match_id"], me())


@bp.app_context_processor
def thread_helpers():
    return {"match_thread": _thread_for}


def _thread_for(match):
    """What _thread.html shows: called by the template of the match page."""
    thread = messages.thread_of(match, me())
    if not thread.readable:
        return None
    page = request.args.get("thread_page", type=int)
    return {"thread": thread, "page": messages.thread_page(match.id, page if page and page > 0 else None),
            "form": g.pop("message_form", None) or MessageForm(prefix="message"),
            "hide_form": HideForm(prefix="hide"), "text_max": TEXT_MAX, "reason_max": HIDE_REASON_MAX}


def _visible(match_id: int):
    return visible_match(me(), match_id) or abort(404)


def _back(match, **anchor):
    return redirect(url_for(".detail", match_id=match.id, _anchor="thread", **anchor))


def _form_expired():
    flash(_("The form expired or came from another site. Reload the page and try again."), "error")


@bp.post("/<int:match_id>/messages")
@login_required
def post_message(match_id: int):
    match = _visible(match_id)
    form = MessageForm(prefix="message")
    if not form.validate_on_submit():
        _form_expired()
        return _back(match)
    try:
        messages.post_message(match, me(), form.text.data)
    except InvalidInput as error:
        apply_field_errors(form, error.fields, error.message)
        g.message_form = form
        return _render_detail(match, 400)
    except messages.RateLimited as error:
        form.text.errors = [error.message]
        g.message_form = form
        return _render_detail(match, 429)
    except (WrongState, NotAllowed) as error:
        flash(getattr(error, "message", None) or str(error), "error")
        return _back(match)
    flash(_("Message sent."), "success")
    return _back(match)


@bp.post("/<int:match_id>/messages/<int:message_id>/hide")
@login_required
def hide_message(match_id: int, message_id: int):
    match = _visible(match_id)
    form = HideForm(prefix="hide")
    if not form.validate_on_submit():
        _form_expired()
        return _back(match)
    try:
        messages.hide_message(match, message_id, me(), form.reason.data)
    except messages.NoSuchMessage:
        abort(404)
    except InvalidInput as error:
        flash(next(iter(error.fields.values()), error.message), "error")
        return _back(match)
    except (WrongState, NotAllowed) as error:
        flash(getattr(error, "message", None) or str(error), "error")
        return _back(match)
    flash(_("The message is hidden."), "success")
    return _back(match)
