"""GS1 identifiers: GTIN check digits and GS1 Digital Link URIs (no Flask, no database)."""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

GTIN_LENGTHS = (8, 12, 13, 14)
# GS1 AI (10) batch/lot: up to 20 characters of the GS1 AI encodable character set 82.
LOT_PATTERN = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit of ``digits`` (the GTIN without its last digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def gtin_is_valid(value: str) -> bool:
    return (value.isascii() and value.isdigit() and len(value) in GTIN_LENGTHS
            and check_digit(value[:-1]) == int(value[-1]))


def gtin14(value: str) -> str:
    """A GTIN-8, -12, -13 or -14 as the 14 digits a Digital Link carries."""
    return value.zfill(14)


def lot_is_valid(code: str) -> bool:
    return bool(LOT_PATTERN.match(code))


def yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def digital_link(site: str, gtin: str, lot: str, best_before: date | None = None) -> str:
    """``https://<site>/01/<GTIN-14>/10/<lot>`` with ``?17=YYMMDD`` when the lot has a best-before day.

    The lot is percent-encoded as a path segment (``/`` becomes ``%2F``), as
    the GS1 Digital Link standard requires of every character outside
    RFC 3986's unreserved set.
    """
    link = f"{site.rstrip('/')}/01/{gtin14(gtin)}/10/{quote(lot, safe='')}"
    return f"{link}?17={yymmdd(best_before)}" if best_before else link
