"""The reason forms behind the match buttons. Parsing only: the lifecycle
decides whether a reason is needed and how long it may be."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from marketplace.web.forms import Form


class ActionForm(Form):
    """A button with nothing to say but its CSRF token."""


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"))


class OptionalReasonForm(Form):
    reason = TextAreaField(_l("Reason (optional)"))
