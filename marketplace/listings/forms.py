"""Listing forms. Parsing only: the listing services judge the values, and
their messages land next to the fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional

from marketplace.geo import get_province
from marketplace.listings.services import ListingInput
from marketplace.reference.categories import category_choices
from marketplace.reference.certifications import CERTIFICATIONS, certification_choices
from marketplace.reference.units import unit_choices
from marketplace.trade.checks import CODE_MAX, DESCRIPTION_MAX, TITLE_MAX, CertificateInput
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


class ListingForm(Form):
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description"))
    category = SelectField(_l("Category"), validate_choice=False)
    unit = SelectField(_l("Unit"), validate_choice=False)
    quantity = QuantityField(_l("Quantity for sale"))
    min_order_quantity = QuantityField(_l("Minimum order"))
    unit_price = MoneyField(_l("Price per unit (VND)"))
    available_from = DateField(_l("Available from"), validators=[Optional()])
    available_until = DateField(_l("Available until"), validators=[Optional()])
    stars = SelectField(_l("OCOP stars"), coerce=stars_value, validate_choice=False, default=0)
    certifications = SelectMultipleField(_l("Certifications"), validate_choice=False)
    traceability_code = StringField(_l("Traceability code"))
    raw_material_area_code = StringField(_l("Raw-material area code"))
    gtin = StringField(_l("GTIN (barcode number)"), description=_l(
        "8, 12, 13 or 14 digits; Vietnamese codes start with 893. Your lots then get GS1 Digital Links."))
    province = StringField(_l("Province or city"))

    limits = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "traceability_code": CODE_MAX,
              "raw_material_area_code": CODE_MAX, "gtin": 14}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        here = current_locale()
        self.category.choices = category_choices(here)
        self.unit.choices = unit_choices(here)
        self.stars.choices = star_choices()
        self.certifications.choices = certification_choices(here)

    def certificate_fields(self):
        """(code, name, number field, expiry field) for each certification."""
        here = current_locale()
        return [(c.code, c.label(here), self[f"number_{c.code}"], self[f"expires_{c.code}"]) for c in CERTIFICATIONS]

    def _certificate(self, code: str) -> CertificateInput:
        if f"number_{code}" not in self:  # an unknown code: the service names it
            return CertificateInput(code)
        return CertificateInput(code, optional_text(self[f"number_{code}"].data),
                                self[f"expires_{code}"].data)

    def to_input(self) -> ListingInput:
        codes = dict.fromkeys(self.certifications.data or [])
        certificates = tuple(self._certificate(code) for code in codes)
        return ListingInput(
            title=self.title.data or "", description=self.description.data or "",
            category=self.category.data, unit=self.unit.data, quantity=self.quantity.data,
            min_order_quantity=1 if self.min_order_quantity.data is None else self.min_order_quantity.data,
            unit_price=self.unit_price.data, available_from=self.available_from.data,
            available_until=self.available_until.data, stars=self.stars.data, certifications=certificates,
            traceability_code=optional_text(self.traceability_code.data),
            raw_material_area_code=optional_text(self.raw_material_area_code.data),
            gtin=optional_text(self.gtin.data),
            province=self.province.data or "",
        )


# One certificate number and expiry date per certification, next to its box.
for _certification in CERTIFICATIONS:
    setattr(ListingForm, f"number_{_certification.code}", StringField(_l("Certificate number")))
    setattr(ListingForm, f"expires_{_certification.code}",
            DateField(_l("Valid until"), validators=[Optional()]))


def listing_form_data(data: ListingInput) -> dict:
    """What an edit form starts with: the stored listing, in its base unit."""
    province = get_province(data.province)
    values = {
        "title": data.title, "description": data.description, "category": data.category,
        "unit": data.unit, "quantity": data.quantity, "min_order_quantity": data.min_order_quantity,
        "unit_price": data.unit_price, "available_from": data.available_from,
        "available_until": data.available_until, "stars": data.stars,
        "certifications": [c.code for c in data.certifications],
        "traceability_code": data.traceability_code or "",
        "raw_material_area_code": data.raw_material_area_code or "",
        "gtin": data.gtin or "",
        "province": province.name if province else data.province,
    }
    for certificate in data.certifications:
        values[f"number_{certificate.code}"] = certificate.number or ""
        values[f"expires_{certificate.code}"] = certificate.expires_on
    return values


class ListingBrowseForm(BrowseForm):
    sort_choices = [("newest", _l("Newest first")), ("price_asc", _l("Cheapest first")),
                    ("price_desc", _l("Most expensive first")), ("available_from", _l("Available soonest")),
                    ("distance", _l("Nearest to me"))]
    star_choices = [("", _l("Any")), ("3", _l("3 stars or more")), ("4", _l("4 stars or more")),
                    ("5", _l("5 stars"))]


