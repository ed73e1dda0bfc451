"""Form pieces listings and demand orders share: whole numbers and money as
people type them on a phone, stars, and the browse filters. Forms only turn
what was typed into Python values; the services judge them."""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField

from marketplace.core.validation import InvalidInput
from marketplace.reference.certifications import certification_choices
from marketplace.web.forms import Form, apply_field_errors
from marketplace.web.i18n import current_locale

# Beyond this many digits a number is a typo, and int() of a huge string is slow.
_MAX_DIGITS = 18
_PLAIN = re.compile(r"-?\d+")
_GROUPED = re.compile(r"-?\d{1,3}(?:\.\d{3})+|-?\d{1,3}(?:,\d{3})+")
_CURRENCY = re.compile(r"(₫|đ|vnd|dong|đồng)$", re.IGNORECASE)
# A decimal: "1,5" or "1.250,75" as Vietnamese write it, "1.5" or "1,250.75" as English does.
_DECIMAL_COMMA = re.compile(r"(?P<whole>-?\d{1,3}(?:\.\d{3})*|-?\d+),(?P<fraction>\d+)")
_DECIMAL_POINT = re.compile(r"(?P<whole>-?\d{1,3}(?:,\d{3})*|-?\d+)\.(?P<fraction>\d+)")

def parse_whole(raw: str, currency: bool = False) -> int | None:
    """ "48.000", "48 000" and "48000" are all 48000; "48.5" is not a whole
    number and raises ValueError. Dots and commas only count as thousands
    separators when every group after them has three digits."""
    text = re.sub(r"\s+", "", raw or "")
    if currency:
        text = _CURRENCY.sub("", text)
    if not text:
        return None
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        raise ValueError("not whole")
    digits = re.sub(r"[.,]", "", text)
    if len(digits.lstrip("-")) > _MAX_DIGITS:
        raise OverflowError
    return int(digits)


def parse_quantity(raw: str) -> int | Decimal | None:
    """A quantity as people type it in either language: whole numbers as
    ``parse_whole`` reads them (so "1.500" and "1,500" stay 1500), else one
    decimal separator, a comma or a point: "1,5" and "1.5" are both 1.5.
    Whether the quantity comes to whole base units is the service's call."""
    try:
        return parse_whole(raw)
    except ValueError:
        pass
    text = re.sub(r"\s+", "", raw or "")
    found = _DECIMAL_COMMA.fullmatch(text) or _DECIMAL_POINT.fullmatch(text)
    if found is None:
        raise ValueError("not a number")
    whole = re.sub(r"[.,]", "", found["whole"])
    if len(whole.lstrip("-")) + len(found["fraction"]) > _MAX_DIGITS:
        raise OverflowError
    return Decimal(f"{whole}.{found['fraction']}")


class WholeNumberField(StringField):
    """A text input for whole numbers, so that "2.000" typed on a phone
    keypad is understood; what was typed is shown again after an error."""

    invalid_message = _l("Enter a whole number, without decimals.")
    currency = False

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = parse_whole(valuelist[0], currency=self.currency)
        except OverflowError:
            raise ValueError(_l("This number is too large.")) from None
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class QuantityField(WholeNumberField):
    """A quantity in the chosen unit: "1,5" tấn is fine, the service checks it
    comes to whole base units."""

    invalid_message = _l("Enter a number, e.g. 2000 or 1,5.")

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = parse_quantity(valuelist[0])
        except OverflowError:
            raise ValueError(_l("This number is too large.")) from None
        except ValueError:
            raise ValueError(self.invalid_message) from None


class MoneyField(WholeNumberField):
    invalid_message = _l("Enter a whole number of dong, without decimals, e.g. 48000 or 48.000.")
    currency = True


def stars_value(value) -> int:
    """Anything but a number becomes -1, which the services reject with
    their own message about stars."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def star_choices():
    return [(0, _l("No stars")), (3, "3 ★"), (4, "4 ★"), (5, "5 ★")]


def optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None


class BrowseForm(Form):
    """The filters of the catalogue and the board, read from the query string."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    category = StringField(_l("Category"))
    province = StringField(_l("Province"))
    stars = SelectField(_l("OCOP stars"), validate_choice=False)
    certification = SelectField(_l("Certification"), validate_choice=False)
    min_price = MoneyField(_l("Price from"))
    max_price = MoneyField(_l("Price up to"))
    sort = SelectField(_l("Sort"), validate_choice=False)

    sort_choices: list = []
    star_choices: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.certification.choices = [("", _l("Any"))] + certification_choices(current_locale())
        self.sort.choices = self.sort_choices
        self.stars.choices = self.star_choices

    def stars_filter(self) -> int | None:
        return stars_value(self.stars.data) if self.stars.data else None

    def common_filters(self) -> dict:
        return {"q": (self.q.data or "").strip() or None, "category": self.category.data or None,
                "province": (self.province.data or "").strip() or None, "min_stars": self.stars_filter(),
                "certification": self.certification.data or None, "min_price": self.min_price.data,
                "max_price": self.max_price.data, "sort": self.sort.data or "newest"}

    def errors_by_field(self, error: InvalidInput) -> None:
        # The search services say "min_stars"; the query string says "stars".
        apply_field_errors(self, {("stars" if k == "min_stars" else k): v for k, v in error.fields.items()})


class ImportForm(Form):
    """A spreadsheet of listings or orders; "check only" stores nothing."""

    file = FileField(_l("Spreadsheet (.xlsx or .csv)"))
    check_only = BooleanField(_l("Only check the file, store nothing"))
