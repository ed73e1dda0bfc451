"""PATCH: the stored record as input again, with the fields the client sent."""
from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _

from marketplace.core.validation import InvalidInput
from marketplace.reference.units import get_unit


def merged(current, changes: dict, amounts: tuple[str, ...]):
    """``current`` is in the stored base unit. A new unit would silently
    re-read the stored amounts in it (2000 kg becoming 2000 tấn), so changing
    the unit needs every amount sent again."""
    unit = get_unit(changes.get("unit"))
    if unit is not None and unit.code != current.unit:
        missing = [name for name in amounts if name not in changes]
        if missing:
            raise InvalidInput({name: _("Send this amount again, in the new unit.") for name in missing})
    if "certifications" in changes:
        changes = {**changes, "certifications": tuple(changes["certifications"])}
    if "required_certifications" in changes:
        changes = {**changes, "required_certifications": tuple(changes["required_certifications"])}
    return replace(current, **changes)
