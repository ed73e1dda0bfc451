"""Finding a province from what a person typed, and lists for forms and the API."""
from __future__ import annotations

import re
import unicodedata

from marketplace.geo.provinces import PROVINCES, Province


def fold(text: str) -> str:
    """Lower-case `text`, strip Vietnamese diacritics and collapse whitespace:
    "  Thừa Thiên  HUẾ " -> "thua thien hue". Old and new tone-mark placement
    ("Hoà"/"Hòa") and composed or decomposed input fold alike."""
    # đ is a letter with a stroke, not d plus a combining mark, so NFD leaves
    # it whole; it is the one Vietnamese letter that needs mapping by hand.
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


# Words around a name that say what kind of unit it is, not which one.
_PREFIXES = (("thanh", "pho"), ("thu", "do"), ("tinh",), ("tp",), ("t", "p"))
_SUFFIXES = (("city",), ("province",))
_NON_WORD = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    words = [w for w in _NON_WORD.split(fold(text)) if w]
    for prefix in _PREFIXES:
        if len(words) > len(prefix) and tuple(words[:len(prefix)]) == prefix:
            words = words[len(prefix):]
            break
    for suffix in _SUFFIXES:
        if len(words) > len(suffix) and tuple(words[-len(suffix):]) == suffix:
            words = words[:-len(suffix)]
            break
    # Joined without spaces so that "Daklak" meets "Dak Lak" and "Saigon"
    # meets "Sài Gòn".
    return "".join(words)


def _names(province: Province) -> list[str]:
    return [province.code, province.name, province.name_vi, province.name_en,
            *(f.name for f in province.former), *province.aliases]


def _build_index() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for province in PROVINCES:
        for name in _names(province):
            key = _key(name)
            owner = index.setdefault(key, province)
            if owner is not province:
                raise ValueError(f"{name!r} names both {owner.code} and {province.code}")
    return index


_BY_CODE = {p.code: p for p in PROVINCES}
_INDEX = _build_index()


def resolve_province(text: str | None) -> Province | None:
    """The unit that `text` names: its code, any of its names, or the name of
    a former province that joined it. None when nothing matches."""
    if not text:
        return None
    key = _key(text)
    return _INDEX.get(key) if key else None


def get_province(code: str) -> Province | None:
    """The unit with exactly this stored code, e.g. "ca-mau"."""
    return _BY_CODE.get(code)


def all_provinces() -> tuple[Province, ...]:
    return PROVINCES


def province_choices(locale: str = "vi") -> list[tuple[str, str]]:
    """(code, name) pairs for a <select>, sorted by name in `locale`."""
    # Sorting on the folded name puts Đà Nẵng among the Ds, where people look
    # for it, rather than after Z as a code-point sort would.
    labelled = [(p.code, p.label(locale)) for p in PROVINCES]
    return sorted(labelled, key=lambda pair: (fold(pair[1]), pair[1]))


def as_dicts(locale: str = "vi") -> list[dict]:
    """The units as JSON-ready dicts for the reference API."""
    return [
        {
            "code": p.code,
            "name": p.label(locale),
            "name_vi": p.name_vi,
            "name_en": p.name_en,
            "gso_code": p.gso_code,
            "kind": p.kind,
            "region": p.region,
            "lat": p.lat,
            "lon": p.lon,
            "aliases": list(p.aliases),
            "former_provinces": [{"name": f.name, "gso_code": f.gso_code} for f in p.former],
        }
        for p in PROVINCES
    ]


__all__ = ["fold", "resolve_province", "get_province", "all_provinces",
           "province_choices", "as_dicts"]
