"""Product categories: the six OCOP product groups and their sub-categories.

A code is "<group>" or "<group>.<sub>", lower-case ASCII. Codes are stored on
listings and orders and matched on by the engine, so they never change once
published: a renamed category keeps its code, and a retired code is never
reused.
Listings and orders use leaf codes only.
"""
from __future__ import annotations

from dataclasses import dataclass

from marketplace.reference import is_english


@dataclass(frozen=True)
class Category:
    code: str
    name_vi: str
    name_en: str
    parent: str | None = None                 # the group's code, None for a group
    children: tuple[Category, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def label(self, locale: str = "vi") -> str:
        return self.name_en if is_english(locale) else self.name_vi


# Group code, Vietnamese and English names, then (sub-code, vi, en) rows in
# the order a <select> shows them. The six groups are the OCOP programme's
# (Decision 148/QĐ-TTg, 2023); the sub-categories are ours.
_TREE = (
    ("food", "Thực phẩm", "Food", (
        ("fresh_produce", "Nông sản tươi (rau, củ, quả)", "Fresh produce (fruit and vegetables)"),
        ("rice", "Gạo và ngũ cốc", "Rice and grains"),
        ("processed", "Thực phẩm chế biến, sấy khô", "Processed and dried foods"),
        ("seafood", "Thủy sản và sản phẩm thủy sản", "Seafood and seafood products"),
        ("fish_sauce", "Nước mắm", "Fish sauce"),
        ("meat_eggs", "Thịt, trứng và sản phẩm từ thịt", "Meat, eggs and meat products"),
        ("honey", "Mật ong và sản phẩm từ ong", "Honey and bee products"),
        ("spices_sauces", "Gia vị và nước chấm", "Spices and sauces"),
        ("confectionery", "Bánh, kẹo, mứt", "Confectionery"),
    )),
    ("beverages", "Đồ uống", "Beverages", (
        ("tea", "Trà", "Tea"),
        ("coffee", "Cà phê", "Coffee"),
        ("alcoholic", "Đồ uống có cồn", "Alcoholic drinks"),
        ("non_alcoholic", "Nước giải khát, nước ép", "Soft drinks and juices"),
    )),
    ("herbal", "Thảo dược", "Herbal products", (
        ("medicinal_herbs", "Dược liệu", "Medicinal herbs"),
        ("supplements", "Thực phẩm chức năng từ thảo dược", "Herbal supplements"),
        ("essential_oils", "Tinh dầu", "Essential oils"),
        ("cosmetics", "Mỹ phẩm từ thảo dược", "Herbal cosmetics"),
    )),
    ("textiles", "Vải và may mặc", "Textiles and garments", (
        ("woven", "Vải dệt, thổ cẩm", "Woven textiles and brocade"),
        ("silk", "Lụa, tơ tằm", "Silk"),
        ("garments", "Quần áo, may mặc", "Garments"),
    )),
    ("crafts", "Lưu niệm – nội thất – trang trí", "Souvenirs, furniture and decor", (
        # Conical hats (nón lá) belong here: a craft, not a garment.
        ("handicrafts", "Thủ công mỹ nghệ, nón lá", "Handicrafts and conical hats"),
        ("bamboo_rattan", "Mây tre đan", "Bamboo and rattan"),
        ("ceramics", "Gốm sứ", "Ceramics"),
        ("wood_furniture", "Đồ gỗ nội thất", "Wood furniture"),
    )),
    ("tourism", "Dịch vụ du lịch cộng đồng", "Community tourism services", (
        ("homestay", "Homestay, lưu trú cộng đồng", "Homestays"),
        ("tours", "Tour và trải nghiệm", "Tours and experiences"),
    )),
)


def _build() -> tuple[Category, ...]:
    return tuple(
        Category(group, vi, en, None, tuple(
            Category(f"{group}.{sub}", sub_vi, sub_en, group) for sub, sub_vi, sub_en in subs
        ))
        for group, vi, en, subs in _TREE
    )


GROUPS: tuple[Category, ...] = _build()
_BY_CODE: dict[str, Category] = {
    c.code: c for group in GROUPS for c in (group, *group.children)
}


def all_groups() -> tuple[Category, ...]:
    """The six groups, each carrying its sub-categories in `children`."""
    return GROUPS


def get_category(code: str) -> Category | None:
    return _BY_CODE.get(code)


def is_leaf(code: str) -> bool:
    """True for a sub-category code, the only kind a listing or order may use."""
    category = _BY_CODE.get(code)
    return category is not None and category.is_leaf


def category_choices(locale: str = "vi") -> dict[str, list[tuple[str, str]]]:
    """Leaf categories grouped under their group's name, the shape WTForms'
    SelectField takes for <optgroup>s."""
    return {
        group.label(locale): [(c.code, c.label(locale)) for c in group.children]
        for group in GROUPS
    }


def as_dicts(locale: str = "vi") -> list[dict]:
    """The groups, with their sub-categories nested, as JSON-ready dicts."""
    def one(category: Category) -> dict:
        return {"code": category.code, "name": category.label(locale),
                "name_vi": category.name_vi, "name_en": category.name_en,
                "parent": category.parent}
    return [{**one(g), "subcategories": [one(c) for c in g.children]} for g in GROUPS]
