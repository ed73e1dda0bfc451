"""Forms of the account pages; the account and takedown services judge the values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from marketplace.admin.accounts.services import UserFilters
from marketplace.models.user import Role, UserStatus
from marketplace.web.forms import Form


class UserSearchForm(Form):
    """The filters of the users list, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    role = SelectField(_l("Role"), default="", choices=[
        SelectChoice("", _l("Every role")), SelectChoice("producer", _l("Producer")),
        SelectChoice("distributor", _l("Distributor")), SelectChoice("admin", _l("Admin"))])
    status = SelectField(_l("Status"), default="", choices=[
        SelectChoice("", _l("Every status")), SelectChoice("active", _l("Active")),
        SelectChoice("suspended", _l("Suspended"))])
    unverified = BooleanField(_l("Unverified producers only"))

    def filters(self) -> UserFilters:
        return UserFilters(q=self.q.data or "", role=Role(self.role.data) if self.role.data else None,
                           status=UserStatus(self.status.data) if self.status.data else None,
                           unverified=bool(self.unverified.data))


class VerifyForm(Form):
    certificate_no = StringField(_l("Certificate number you checked"))


class SuspendForm(Form):
    reason = TextAreaField(_l("Reason for suspending"))


class ReinstateForm(Form):
    reason = TextAreaField(_l("Reason for reinstating"))


class TakedownForm(Form):
    reason = TextAreaField(_l("Reason for taking it down"))
