"""Forms of the notification pages: the preferences grid and a webhook URL."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField

from marketplace.web.forms import Form, max_length, required


class PreferencesForm(Form):
    """The digest switch; the kind × channel checkboxes are named
    ``<kind>:<channel>`` and read by the view, since the kinds depend on the role."""
    email_digest = BooleanField(_l("Gather my e-mails into one daily summary (sent at 07:00)"))


class WebhookForm(Form):
    url = StringField(_l("Endpoint address (https://…)"), validators=[required(), max_length(500)])


class EmptyForm(Form):
    """Only the CSRF token: for buttons that post."""
