"""GTIN check digits and GS1 Digital Link syntax, against GS1's own examples
(GS1 Digital Link standard and the gs1/GS1DigitalLinkToolkit.js tests)."""
from datetime import date

import pytest

from marketplace.trace.gs1 import check_digit, digital_link, gtin14, gtin_is_valid, lot_is_valid


@pytest.mark.parametrize("gtin", [
    "09520123456788",     # GS1's GTIN-14 of the Digital Link standard's examples
    "05412345000013",     # GS1 Digital Link toolkit tests
    "07032069804988",
    "9520123456788",      # GTIN-13 (EAN-13)
    "8934563000011",      # a Vietnamese 893 prefix
    "614141123452",       # GTIN-12 (UPC-A), GS1 US example
    "96385074",           # GTIN-8 (EAN-8)
])
def test_gs1_examples_have_valid_check_digits(gtin):
    assert gtin_is_valid(gtin)


@pytest.mark.parametrize("gtin", ["09520123456789", "9520123456780", "96385075", "1234567", "123456789012345",
                                  "0952012345678a", "", "٠٩٥٢٠١٢٣٤٥٦٧٨٨"])
def test_wrong_check_digits_lengths_and_characters_are_refused(gtin):
    assert not gtin_is_valid(gtin)


def test_check_digit_of_gs1_example():
    assert check_digit("0952012345678") == 8
    assert check_digit("629104150021") == 3     # GS1 General Specifications: GTIN-13 6291041500213


def test_digital_link_is_gtin14_with_lot_and_best_before_as_gs1_writes_it():
    # GS1 Digital Link standard: https://id.gs1.org/01/09520123456788/10/ABC123?17=...
    assert (digital_link("https://id.gs1.org", "09520123456788", "ABC123", date(2027, 5, 26))
            == "https://id.gs1.org/01/09520123456788/10/ABC123?17=270526")
    # A GTIN-13 is zero-padded to 14 digits; the toolkit's example lot 0329 and expiry 2021-05-26.
    assert (digital_link("https://example.com/", "7032069804988", "0329", date(2021, 5, 26))
            == "https://example.com/01/07032069804988/10/0329?17=210526")


def test_digital_link_percent_encodes_the_lot():
    assert digital_link("https://s.vn", "96385074", "L/24#1") == "https://s.vn/01/00000096385074/10/L%2F24%231"
    assert gtin14("614141123452") == "00614141123452"


@pytest.mark.parametrize("code,ok", [("NM-2026-01", True), ("A/B.1_2", True), ("x" * 20, True), ("x" * 21, False),
                                     ("lô 1", False), ("Lô1", False), ("", False)])
def test_lot_codes_follow_gs1_ai_10(code, ok):
    assert lot_is_valid(code) is ok
