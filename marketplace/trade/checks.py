"""Checks shared by listings and orders: units, money, text, provinces and
certifications, each turned into a field message the user can act on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from marketplace.core.validation import FieldErrors
from marketplace.geo import resolve_province
from marketplace.reference.categories import is_leaf
from marketplace.reference.certifications import get_certification
from marketplace.reference.units import get_unit
from marketplace.web.formats import decimal
from marketplace.web.labels import unit_label

MAX_QUANTITY = 10**12        # base units; far above any real lot, far below BIGINT
MAX_PRICE = 10**11           # VND per base unit
TITLE_MAX, DESCRIPTION_MAX, CODE_MAX, CERT_NUMBER_MAX = 120, 2000, 64, 60


@dataclass(frozen=True)
class CertificateInput:
    code: str
    number: str | None = None
    expires_on: date | None = None


def check_text(errors: FieldErrors, field: str, value: str | None, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    elif len(value) > limit:
        errors.add(field, _("At most %(max)d characters.", max=limit))
    return value


def check_category(errors: FieldErrors, value: str | None, field: str = "category") -> None:
    if not value or not is_leaf(value):
        errors.add(field, _("Unknown category. Choose one from the list."))


def check_province(errors: FieldErrors, value: str | None, field: str) -> str | None:
    province = resolve_province(value or "")
    if province is None:
        errors.add(field, _("Unknown province. Type a province or city name, e.g. Cần Thơ."))
        return None
    return province.code


def check_stars(errors: FieldErrors, value: int | None, field: str) -> None:
    if value not in (0, 3, 4, 5):
        errors.add(field, _("OCOP stars are 0 (none), 3, 4 or 5."))


def unit_factor(errors: FieldErrors, value: str | None) -> tuple[str | None, int]:
    unit = get_unit(value)
    if unit is None:
        errors.add("unit", _("Unknown unit. Choose one from the list."))
        return None, 1
    return unit.base, unit.factor


def check_quantity(errors: FieldErrors, field: str, value: int | Decimal | None, factor: int,
                   unit: str | None = None) -> int:
    """A quantity typed in ``unit`` (``factor`` base units each) as whole base
    units: 1,5 tấn is 1.500 kg and goes through; 1,5 kg does not."""
    if value is None or value <= 0:
        errors.add(field, _("Enter a whole number greater than zero."))
        return 0
    in_base = Decimal(value) * factor
    if in_base > MAX_QUANTITY:
        errors.add(field, _("This quantity is too large."))
        return 0
    if in_base != in_base.to_integral_value():
        base = get_unit(unit).base if get_unit(unit) else unit
        if factor == 1:
            errors.add(field, _("Enter a whole number, without decimals."))
        else:
            errors.add(field, _("%(quantity)s %(unit)s is %(base_quantity)s %(base)s: a quantity must come to "
                                "whole %(base)s.", quantity=decimal(value), unit=unit_label(unit),
                                base_quantity=decimal(in_base), base=unit_label(base)))
        return 0
    return int(in_base)


def price_per_base(errors: FieldErrors, field: str, value: int | None, factor: int) -> int:
    """A price given per tấn becomes a price per kg; it must stay whole dong."""
    if value is None or value < 1:
        errors.add(field, _("Enter a price in whole dong, greater than zero."))
        return 0
    if value > MAX_PRICE * factor:
        errors.add(field, _("This price is too large."))
        return 0
    if value % factor:
        errors.add(field, _("This price does not divide into whole dong per base unit."))
        return 0
    return value // factor


def canonical_code(code: str) -> str:
    """"VietGAP" and " vietgap" are the same certification, stored one way so
    filters and matching find it."""
    certification = get_certification(code)
    return certification.code if certification else code


def check_certification(errors: FieldErrors, value: str | None, field: str) -> str | None:
    """The stored code of one certification, however it was typed, or None
    with a message on ``field``."""
    certification = get_certification(value)
    if certification is None:
        errors.add(field, _("Unknown certification: %(code)s.", code=str(value)[:40]))
        return None
    return certification.code


def check_certifications(errors: FieldErrors, field: str, certificates) -> None:
    seen = set()
    for certificate in certificates:
        code = check_certification(errors, certificate.code if isinstance(certificate, CertificateInput)
                                   else certificate, field)
        if code is not None:
            if code in seen:
                errors.add(field, _("Certification %(code)s is listed twice.", code=code))
            seen.add(code)
        if isinstance(certificate, CertificateInput) and certificate.number and \
                len(certificate.number) > CERT_NUMBER_MAX:
            errors.add(field, _("At most %(max)d characters.", max=CERT_NUMBER_MAX))
