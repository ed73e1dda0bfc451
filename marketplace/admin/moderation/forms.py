"""Moderation, policy and run forms; the lifecycle, the moderation and policy
services and the run service judge the values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from marketplace.admin.moderation.services import REJECT_REASONS
from marketplace.geo import province_choices
from marketplace.web.forms import Form
from marketplace.web.i18n import current_locale

SCORE_PERCENT = _l("Enter a score from 0 to 100.")


class ApproveForm(Form):
    """Only the CSRF token: approving needs no words."""


def reason_choices():
    return [("", _l("Choose a reason"))] + [(code, label) for code, label in REJECT_REASONS.items()]


class RejectForm(Form):
    reason_code = SelectField(_l("Standard reason"), validate_choice=False)
    reason = TextAreaField(_l("Reason for rejecting"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_code.choices = reason_choices()


class BulkForm(RejectForm):
    """The selected rows (checkboxes that belong to this form), or every row of the page."""
    ids = SelectMultipleField(_l("Selected proposals"), coerce=int, validate_choice=False)
    all_on_page = BooleanField(_l("Select all on this page"))
    page_ids = HiddenField()
    action = StringField(_l("Action"))     # the pressed button: approve or reject

    def chosen_ids(self) -> list[int]:
        if self.all_on_page.data:
            return [int(part) for part in (self.page_ids.data or "").split(",") if part.strip().isdigit()]
        return list(self.ids.data or [])


class QueueFilterForm(Form):
    """The queue's filters, read from the query string."""

    class Meta:
        csrf = False

    category = SelectField(_l("Category"), validate_choice=False)
    province = SelectField(_l("Province (producer's or delivery)"), validate_choice=False)
    max_score = IntegerField(_l("Score below (%)"), validators=[
        Optional(), NumberRange(0, 100, message=SCORE_PERCENT)])
    unverified = BooleanField(_l("Unverified producers only"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [("", _l("Every province"))] + province_choices(current_locale())


class PolicyForm(Form):
    enabled = BooleanField(_l("Approve qualifying proposals automatically"))
    min_score = IntegerField(_l("Minimum score (%)"), validators=[NumberRange(0, 100, message=SCORE_PERCENT)])
    require_verified_producer = BooleanField(_l("Only verified producers"))
    require_good_standing = BooleanField(_l("Both parties in good standing"))


class SwitchOffForm(Form):
    """One click: the CSRF token says it all."""
