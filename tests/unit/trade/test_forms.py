"""Numbers as people type them on a phone, in either language."""
from decimal import Decimal

import pytest

from marketplace.trade.forms import parse_quantity, parse_whole


@pytest.mark.parametrize("typed, value", [
    ("2000", 2000), ("2.000", 2000), ("2,000", 2000), ("2 000", 2000),
    ("1,5", Decimal("1.5")), ("1.5", Decimal("1.5")), ("1.250,75", Decimal("1250.75")),
    ("1,250.75", Decimal("1250.75")), ("0,25", Decimal("0.25")), ("", None),
])
def test_quantities_read_both_decimal_separators_and_keep_thousands_whole(typed, value):
    assert parse_quantity(typed) == value


@pytest.mark.parametrize("typed", ["1,2,3", "1.5.2", "abc", "1,5 tấn", "--1"])
def test_what_is_no_number_is_refused(typed):
    with pytest.raises(ValueError):
        parse_quantity(typed)


def test_money_stays_whole():
    assert parse_whole("48.000 ₫", currency=True) == 48000
    with pytest.raises(ValueError):
        parse_whole("48,5")
