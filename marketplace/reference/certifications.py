"""The certifications a listing can carry and an order can require."""
from __future__ import annotations

from dataclasses import dataclass

from marketplace.reference import is_english


@dataclass(frozen=True)
class Certification:
    code: str
    name: str
    description_vi: str
    description_en: str
    name_en: str | None = None      # only where the name is not the same in both languages

    def label(self, locale: str = "vi") -> str:
        return self.name_en if self.name_en and is_english(locale) else self.name

    def description(self, locale: str = "vi") -> str:
        return self.description_en if is_english(locale) else self.description_vi


CERTIFICATIONS: tuple[Certification, ...] = (
    Certification("vietgap", "VietGAP", "Thực hành nông nghiệp tốt của Việt Nam",
                  "Vietnamese Good Agricultural Practices"),
    Certification("globalgap", "GlobalG.A.P.", "Thực hành nông nghiệp tốt toàn cầu",
                  "Global Good Agricultural Practice"),
    Certification("organic", "Hữu cơ", "Chứng nhận hữu cơ (TCVN 11041, USDA, EU)",
                  "Organic (TCVN 11041, USDA, EU)", name_en="Organic"),
    Certification("haccp", "HACCP", "Phân tích mối nguy và điểm kiểm soát tới hạn",
                  "Hazard Analysis and Critical Control Points"),
    Certification("iso22000", "ISO 22000", "Hệ thống quản lý an toàn thực phẩm",
                  "Food safety management system"),
    Certification("ocop", "OCOP", "Chứng nhận sản phẩm OCOP của địa phương",
                  "Local OCOP product certificate"),
)

_BY_CODE = {c.code: c for c in CERTIFICATIONS}
CODES = frozenset(_BY_CODE)


def get_certification(code: str | None) -> Certification | None:
    return _BY_CODE.get((code or "").strip().lower())


def certification_choices(locale: str = "vi") -> list[tuple[str, str]]:
    return [(c.code, c.label(locale)) for c in CERTIFICATIONS]


def as_dicts(locale: str = "vi") -> list[dict]:
    return [{"code": c.code, "name": c.label(locale), "description": c.description(locale)} for c in CERTIFICATIONS]
