"""The producer's lot form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from marketplace.trace.services import STAGES_MAX, LotInput
from marketplace.trade.checks import CODE_MAX
from marketplace.web.forms import Form


class LotForm(Form):
    code = StringField(_l("Lot code"))
    produced_on = DateField(_l("Produced or harvested on"), validators=[Optional()])
    best_before = DateField(_l("Best before"), validators=[Optional()])
    quantity = IntegerField(_l("Quantity"), validators=[Optional()])
    raw_material_area_code = StringField(_l("Raw-material area code"))
    stages = TextAreaField(_l("Stages"), description=_l(
        "One stage a line, for example: anchovies caught → fermented 12 months → bottled."))

    limits = {"code": 20, "raw_material_area_code": CODE_MAX, "stages": STAGES_MAX}

    def to_input(self) -> LotInput:
        return LotInput(code=self.code.data or "", produced_on=self.produced_on.data, quantity=self.quantity.data,
                        best_before=self.best_before.data,
                        raw_material_area_code=(self.raw_material_area_code.data or "").strip() or None,
                        stages=self.stages.data or "")
