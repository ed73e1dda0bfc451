"""The form that starts a match run."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from marketplace.reference.categories import category_choices
from marketplace.web.forms import Form
from marketplace.web.i18n import current_locale


class StartRunForm(Form):
    category = SelectField(_l("Category"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = category_choices(current_locale())
        self.category.choices = [("", _l("Every category"))] + [
            choice for children in groups.values() for choice in children]
        self.leaf_codes = {code for children in groups.values() for code, _label in children}
