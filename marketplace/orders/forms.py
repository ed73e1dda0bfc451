"""Demand-order forms. Parsing only: the order services judge the values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from marketplace.geo import get_province
from marketplace.orders.services import OrderInput
from marketplace.reference.categories import category_choices
from marketplace.reference.certifications import certification_choices
from marketplace.reference.units import unit_choices
from marketplace.trade.checks import DESCRIPTION_MAX, TITLE_MAX
from marketplace.trade.forms import (
    BrowseForm,
    MoneyField,
    QuantityField,
    optional_text,
    star_choices,
    stars_value,
)
from marketplace.web.forms import Form
from marketplace.web.i18n import current_locale


class OrderForm(Form):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    category = SelectField(_l("Category"), validate_choice=False)
    unit = SelectField(_l("Unit"), validate_choice=False)
    quantity = QuantityField(_l("Quantity wanted"))
    max_unit_price = MoneyField(_l("Highest price per unit (VND)"))
    needed_by = DateField(_l("Needed by"), validators=[Optional()])
    delivery_province = StringField(_l("Delivery province or city"))
    min_stars = SelectField(_l("Minimum OCOP stars"), coerce=stars_value, validate_choice=False, default=0)
    required_certifications = SelectMultipleField(_l("Required certifications"), validate_choice=False)
    allow_split = BooleanField(_l("Several producers may fill this order"), default=True)

    limits = {"title": TITLE_MAX, "description": DESCRIPTION_MAX}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        here = current_locale()
        self.category.choices = category_choices(here)
        self.unit.choices = unit_choices(here)
        self.min_stars.choices = star_choices()
        self.required_certifications.choices = certification_choices(here)

    def to_input(self) -> OrderInput:
        return OrderInput(
            title=self.title.data or "", description=self.description.data or "",
            category=self.category.data, unit=self.unit.data, quantity=self.quantity.data,
            max_unit_price=self.max_unit_price.data, needed_by=self.needed_by.data,
            delivery_province=optional_text(self.delivery_province.data) or "",
            min_stars=self.min_stars.data,
            required_certifications=tuple(dict.fromkeys(self.required_certifications.data or [])),
            allow_split=bool(self.allow_split.data),
        )


def order_form_data(data: OrderInput) -> dict:
    province = get_province(data.delivery_province)
    return {
        "title": data.title, "description": data.description, "category": data.category, "unit": data.unit,
        "quantity": data.quantity, "max_unit_price": data.max_unit_price, "needed_by": data.needed_by,
        "delivery_province": province.name if province else data.delivery_province,
        "min_stars": data.min_stars, "required_certifications": list(data.required_certifications),
        "allow_split": data.allow_split,
    }


class OrderBrowseForm(BrowseForm):
    sort_choices = [("newest", _l("Newest first")), ("price_desc", _l("Highest price first")),
                    ("price_asc", _l("Lowest price first")), ("needed_by", _l("Needed soonest")),
                    ("distance", _l("Nearest to me"))]
    # A producer asks: which orders can my products serve?
    star_choices = [("", _l("Any")), ("0", _l("I have no stars")), ("3", _l("I have 3 ★")),
                    ("4", _l("I have 4 ★")), ("5", _l("I have 5 ★"))]

    def stars_filter(self) -> int | None:
        return stars_value(self.stars.data) if self.stars.data not in (None, "") else None
