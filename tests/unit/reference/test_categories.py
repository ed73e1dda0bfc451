"""The six OCOP product groups and their sub-categories."""
import re

import pytest

from marketplace.reference.categories import (
    all_groups,
    as_dicts,
    category_choices,
    get_category,
    is_leaf,
)

CODE = re.compile(r"^[a-z]+(_[a-z]+)*(\.[a-z]+(_[a-z]+)*)?$")


def all_codes():
    return [c.code for g in all_groups() for c in (g, *g.children)]


def test_there_are_the_six_ocop_groups():
    assert [g.code for g in all_groups()] == [
        "food", "beverages", "herbal", "textiles", "crafts", "tourism"]
    assert [g.name_vi for g in all_groups()][:4] == [
        "Thực phẩm", "Đồ uống", "Thảo dược", "Vải và may mặc"]


def test_codes_are_unique_and_well_formed():
    codes = all_codes()
    assert len(codes) == len(set(codes))
    for code in codes:
        assert CODE.match(code), code


def test_every_sub_category_sits_under_its_group():
    for group in all_groups():
        assert group.parent is None and not group.is_leaf
        assert len(group.children) >= 2
        for child in group.children:
            assert child.parent == group.code
            assert child.code.startswith(group.code + ".")
            assert child.is_leaf
            assert child.name_vi and child.name_en


@pytest.mark.parametrize("code", [
    "food.rice", "food.fish_sauce", "food.seafood", "food.honey",
    "beverages.tea", "beverages.coffee", "herbal.essential_oils",
    "textiles.silk", "crafts.handicrafts", "crafts.bamboo_rattan", "tourism.homestay",
])
def test_the_products_we_seed_have_a_leaf(code):
    assert is_leaf(code)
    assert get_category(code).code == code


def test_conical_hats_are_handicrafts():
    assert "nón lá" in get_category("crafts.handicrafts").name_vi


def test_groups_and_unknown_codes_are_not_leaves():
    assert not is_leaf("food")
    assert not is_leaf("food.caviar")
    assert not is_leaf("")
    assert get_category("food.caviar") is None
    assert get_category("food").name_en == "Food"


def test_category_is_frozen():
    with pytest.raises(AttributeError):
        get_category("food").name_vi = "x"


def test_choices_hold_every_leaf_under_its_group_label():
    vi = category_choices("vi")
    assert list(vi) == [g.name_vi for g in all_groups()]
    assert ("food.fish_sauce", "Nước mắm") in vi["Thực phẩm"]
    leaves = [code for options in vi.values() for code, _ in options]
    assert sorted(leaves) == sorted(c for c in all_codes() if is_leaf(c))
    en = category_choices("en")
    assert ("beverages.tea", "Tea") in en["Beverages"]


def test_as_dicts_nest_sub_categories():
    rows = as_dicts("en")
    assert len(rows) == 6
    food = rows[0]
    assert food["code"] == "food" and food["name"] == "Food" and food["name_vi"] == "Thực phẩm"
    assert {"code": "food.honey", "name": "Honey and bee products",
            "name_vi": "Mật ong và sản phẩm từ ong", "name_en": "Honey and bee products",
            "parent": "food"} in food["subcategories"]
    assert as_dicts("vi")[1]["name"] == "Đồ uống"
