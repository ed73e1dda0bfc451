"""The audit log's filters, read from the query string."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from marketplace.admin.audit.services import AuditFilters, known_actions
from marketplace.web.forms import Form
from marketplace.web.labels import TARGET_LABELS, action_label


class AuditFilterForm(Form):
    class Meta:
        csrf = False

    actor = StringField(_l("Who"), validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    target_type = SelectField(_l("Record"), validators=[Optional()])
    target_id = IntegerField(_l("Record no."), validators=[
        Optional(), NumberRange(min=1, message=_l("Enter a record number (1 or more)."))])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _l("Any action"))] + [(a, action_label(a)) for a in known_actions()]
        self.target_type.choices = [("", _l("Any record"))] + [(k, v) for k, v in TARGET_LABELS.items()]

    def filters(self) -> AuditFilters:
        return AuditFilters(actor=(self.actor.data or "").strip() or None, action=self.action.data or None,
                            target_type=self.target_type.data or None, target_id=self.target_id.data,
                            since=self.since.data, until=self.until.data)
