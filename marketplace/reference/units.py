"""Units of sale. Quantities are stored as whole numbers of a unit's *base*
(2 tấn and 2.000 kg are the same 2000 kg), so listings and orders written in
different units of one kind still compare and match. Prices are per base unit.

Only units whose base is a whole multiple appear: a gram or a millilitre
would need fractions of the base, which we never store.
"""
from __future__ import annotations

from dataclasses import dataclass

from marketplace.reference import is_english


@dataclass(frozen=True)
class Unit:
    code: str
    name_vi: str
    name_en: str
    base: str          # the code quantities are stored in
    factor: int = 1    # how many base units one of this unit is

    @property
    def is_base(self) -> bool:
        return self.code == self.base

    def label(self, locale: str = "vi") -> str:
        return self.name_en if is_english(locale) else self.name_vi


UNITS: tuple[Unit, ...] = (
    Unit("kg", "kg", "kg", "kg"),
    Unit("yen", "yến (10 kg)", "yến (10 kg)", "kg", 10),
    Unit("ta", "tạ (100 kg)", "tạ (100 kg)", "kg", 100),
    Unit("tan", "tấn", "tonne", "kg", 1000),
    Unit("l", "lít", "litre", "l"),
    Unit("m3", "mét khối (1.000 lít)", "cubic metre (1,000 l)", "l", 1000),
    Unit("bottle", "chai", "bottle", "bottle"),
    Unit("crate_24", "két 24 chai", "crate of 24 bottles", "bottle", 24),
    Unit("jar", "hũ", "jar", "jar"),
    Unit("box", "hộp", "box", "box"),
    Unit("carton_20", "thùng 20 hộp", "carton of 20 boxes", "box", 20),
    Unit("pack", "gói", "pack", "pack"),
    Unit("bag", "túi", "bag", "bag"),
    Unit("piece", "cái / chiếc", "piece", "piece"),
    Unit("set", "bộ", "set", "set"),
    Unit("metre", "mét (vải)", "metre (fabric)", "metre"),
    Unit("night", "đêm lưu trú", "night's stay", "night"),
    Unit("guest", "lượt khách", "guest visit", "guest"),
)

_BY_CODE = {unit.code: unit for unit in UNITS}


def get_unit(code: str | None) -> Unit | None:
    return _BY_CODE.get((code or "").strip().lower())


def base_units() -> tuple[Unit, ...]:
    return tuple(unit for unit in UNITS if unit.is_base)


def to_base(quantity: int, unit_code: str) -> tuple[int, str]:
    """(quantity in base units, base code). KeyError for an unknown unit."""
    unit = _BY_CODE[unit_code]
    return quantity * unit.factor, unit.base


def unit_choices(locale: str = "vi") -> list[tuple[str, str]]:
    return [(unit.code, unit.label(locale)) for unit in UNITS]


def as_dicts(locale: str = "vi") -> list[dict]:
    return [{"code": u.code, "name": u.label(locale), "name_vi": u.name_vi, "name_en": u.name_en,
             "base": u.base, "factor": u.factor} for u in UNITS]
