"""The deals page's filters, read from the query string."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from marketplace.geo import province_choices
from marketplace.models import MatchStatus
from marketplace.reference.categories import category_choices
from marketplace.web.forms import Form
from marketplace.web.i18n import current_locale
from marketplace.web.labels import match_status_label


class DealFilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="")
    category = SelectField(_l("Category"), default="")
    province = SelectField(_l("Province (producer's or delivery)"), default="")
    q = StringField(_l("Product or party"), validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        here = current_locale()
        self.status.choices = [("", _l("Confirmed, on the way or delivered"))] + [
            (s.value, match_status_label(s)) for s in MatchStatus]
        groups = category_choices(here)
        self.category.choices = [("", _l("All categories"))] + [
            choice for children in groups.values() for choice in children]
        self.province.choices = [("", _l("Every province"))] + province_choices(here)
