"""The 34 units since 1 July 2025, the 63 former provinces as aliases, and
distances. The expected merger table is written out here, independently of
marketplace/geo/provinces.py, so a typo in the data cannot check itself."""
import ast
import math
import unicodedata
from pathlib import Path

import pytest

from marketplace.geo import (
    EARTH_RADIUS_KM,
    all_provinces,
    as_dicts,
    distance_km,
    fold,
    get_province,
    province_choices,
    resolve_province,
)

# Resolution 202/2025/QH15: every pre-2025 province -> the unit it joined.
FORMER_TO_UNIT = {
    # unchanged
    "Hà Nội": "ha-noi", "Thừa Thiên Huế": "hue", "Lai Châu": "lai-chau",
    "Điện Biên": "dien-bien", "Sơn La": "son-la", "Lạng Sơn": "lang-son",
    "Quảng Ninh": "quang-ninh", "Thanh Hóa": "thanh-hoa", "Nghệ An": "nghe-an",
    "Hà Tĩnh": "ha-tinh", "Cao Bằng": "cao-bang",
    # merged
    "Tuyên Quang": "tuyen-quang", "Hà Giang": "tuyen-quang",
    "Lào Cai": "lao-cai", "Yên Bái": "lao-cai",
    "Thái Nguyên": "thai-nguyen", "Bắc Kạn": "thai-nguyen",
    "Phú Thọ": "phu-tho", "Vĩnh Phúc": "phu-tho", "Hòa Bình": "phu-tho",
    "Bắc Ninh": "bac-ninh", "Bắc Giang": "bac-ninh",
    "Hưng Yên": "hung-yen", "Thái Bình": "hung-yen",
    "Hải Phòng": "hai-phong", "Hải Dương": "hai-phong",
    "Ninh Bình": "ninh-binh", "Hà Nam": "ninh-binh", "Nam Định": "ninh-binh",
    "Quảng Trị": "quang-tri", "Quảng Bình": "quang-tri",
    "Đà Nẵng": "da-nang", "Quảng Nam": "da-nang",
    "Quảng Ngãi": "quang-ngai", "Kon Tum": "quang-ngai",
    "Gia Lai": "gia-lai", "Bình Định": "gia-lai",
    "Khánh Hòa": "khanh-hoa", "Ninh Thuận": "khanh-hoa",
    "Lâm Đồng": "lam-dong", "Đắk Nông": "lam-dong", "Bình Thuận": "lam-dong",
    "Đắk Lắk": "dak-lak", "Phú Yên": "dak-lak",
    "Hồ Chí Minh": "ho-chi-minh", "Bình Dương": "ho-chi-minh",
    "Bà Rịa – Vũng Tàu": "ho-chi-minh",
    "Đồng Nai": "dong-nai", "Bình Phước": "dong-nai",
    "Tây Ninh": "tay-ninh", "Long An": "tay-ninh",
    "Cần Thơ": "can-tho", "Sóc Trăng": "can-tho", "Hậu Giang": "can-tho",
    "Vĩnh Long": "vinh-long", "Bến Tre": "vinh-long", "Trà Vinh": "vinh-long",
    "Đồng Tháp": "dong-thap", "Tiền Giang": "dong-thap",
    "Cà Mau": "ca-mau", "Bạc Liêu": "ca-mau",
    "An Giang": "an-giang", "Kiên Giang": "an-giang",
}

ALTERNATE_SPELLINGS = [
    ("TP HCM", "ho-chi-minh"), ("TP. Hồ Chí Minh", "ho-chi-minh"), ("TP.HCM", "ho-chi-minh"),
    ("TPHCM", "ho-chi-minh"), ("HCMC", "ho-chi-minh"), ("HCM", "ho-chi-minh"),
    ("Sài Gòn", "ho-chi-minh"), ("Saigon", "ho-chi-minh"), ("Ho Chi Minh City", "ho-chi-minh"),
    ("Thành phố Hồ Chí Minh", "ho-chi-minh"),
    ("Bà Rịa - Vũng Tàu", "ho-chi-minh"), ("Ba Ria Vung Tau", "ho-chi-minh"),
    ("Bà Rịa–Vũng Tàu", "ho-chi-minh"), ("BR-VT", "ho-chi-minh"),
    ("Hanoi", "ha-noi"), ("Ha Noi", "ha-noi"), ("Thủ đô Hà Nội", "ha-noi"),
    ("Thành phố Hà Nội", "ha-noi"), ("TP Hà Nội", "ha-noi"),
    ("Thừa Thiên Huế", "hue"), ("Thừa Thiên - Huế", "hue"), ("Thua Thien Hue", "hue"),
    ("Hue", "hue"), ("Thành phố Huế", "hue"), ("TT Huế", "hue"),
    ("Hòa Bình", "phu-tho"), ("Hoà Bình", "phu-tho"), ("Tỉnh Hoà Bình", "phu-tho"),
    ("Khánh Hoà", "khanh-hoa"), ("Khanh Hoa", "khanh-hoa"), ("Thanh Hoá", "thanh-hoa"),
    ("Đắk Lắk", "dak-lak"), ("Dak Lak", "dak-lak"), ("Daklak", "dak-lak"),
    ("Đắc Lắc", "dak-lak"), ("Đăk Lăk", "dak-lak"), ("Tỉnh Đắk Lắk", "dak-lak"),
    ("Đắc Nông", "lam-dong"), ("Dak Nong", "lam-dong"),
    ("Bắc Cạn", "thai-nguyen"), ("Kontum", "quang-ngai"),
    ("Da Nang", "da-nang"), ("Danang", "da-nang"), ("Da Nang City", "da-nang"),
    ("Haiphong", "hai-phong"), ("Can Tho", "can-tho"), ("Quang Nam Province", "da-nang"),
]

VARIANTS_OF_BAC_LIEU = [
    "Bạc Liêu", "bac lieu", "BẠC LIÊU", "Bac Lieu", "  bạc   liêu ", "Bac-Lieu", "bac.lieu",
    "Tỉnh Bạc Liêu", "tinh bac lieu", "BACLIEU", "\tBạc\u00a0Liêu\n",
    unicodedata.normalize("NFD", "Bạc Liêu"),
]


def test_there_are_34_units_with_unique_codes():
    provinces = all_provinces()
    assert len(provinces) == 34
    assert len({p.code for p in provinces}) == 34
    assert len({p.gso_code for p in provinces}) == 34
    assert len({p.name for p in provinces}) == 34


def test_the_units_are_made_of_exactly_the_63_former_provinces():
    former = [f.name for p in all_provinces() for f in p.former]
    assert len(former) == 63
    assert sorted(former) == sorted(FORMER_TO_UNIT)
    assert len({f.gso_code for p in all_provinces() for f in p.former}) == 63


def test_eleven_units_are_unchanged_and_twenty_three_merged():
    sizes = [len(p.former) for p in all_provinces()]
    assert sizes.count(1) == 11
    assert len(sizes) - sizes.count(1) == 23


@pytest.mark.parametrize("former, code", sorted(FORMER_TO_UNIT.items()))
def test_every_former_province_resolves_to_the_unit_it_joined(former, code):
    province = resolve_province(former)
    assert province is not None and province.code == code


@pytest.mark.parametrize("text, code", ALTERNATE_SPELLINGS)
def test_alternate_spellings_resolve(text, code):
    province = resolve_province(text)
    assert province is not None and province.code == code


@pytest.mark.parametrize("text", VARIANTS_OF_BAC_LIEU)
def test_lookup_ignores_case_diacritics_whitespace_and_punctuation(text):
    assert resolve_province(text) is get_province("ca-mau")


def test_binh_duong_is_now_ho_chi_minh_city():
    assert resolve_province("Bình Dương").name_en == "Ho Chi Minh City"


@pytest.mark.parametrize("text", [
    "", "   ", None, "Atlantis", "Vientiane", "Tỉnh", "Thành phố", "TP", "Hà", "Bạc",
    "Phnom Penh", "ha-noi-x", "Đồng", "Quảng",
])
def test_unknown_names_resolve_to_none(text):
    assert resolve_province(text) is None


def test_every_code_name_and_alias_resolves_to_its_own_unit():
    # One folded alias, one unit: no name is claimed by two units.
    for p in all_provinces():
        for text in (p.code, p.name, p.name_vi, p.name_en, *p.aliases,
                     *(f.name for f in p.former)):
            assert resolve_province(text) is p, text


def test_codes_are_slugs_of_the_short_name():
    for p in all_provinces():
        assert p.code == fold(p.name).replace(" ", "-")
        assert p.code.isascii()


def test_reference_values():
    assert get_province("ha-noi").gso_code == "01"
    assert get_province("ho-chi-minh").gso_code == "79"
    assert get_province("ca-mau").gso_code == "96"
    assert get_province("ho-chi-minh").name_vi == "Thành phố Hồ Chí Minh"
    assert get_province("ca-mau").name_vi == "Tỉnh Cà Mau"
    assert get_province("hue").name_en == "Hue"
    assert {p.code for p in all_provinces() if p.kind == "city"} == {
        "ha-noi", "hue", "hai-phong", "da-nang", "ho-chi-minh", "can-tho"}
    assert {p.region for p in all_provinces()} == {"north", "central", "highlands", "south"}


def test_get_province_takes_only_the_exact_code():
    assert get_province("ca-mau").name == "Cà Mau"
    assert get_province("Cà Mau") is None
    assert get_province("unknown") is None


def test_province_is_frozen():
    with pytest.raises(AttributeError):
        get_province("hue").lat = 0.0


def test_centroids_lie_inside_vietnam():
    for p in all_provinces():
        assert 8.3 <= p.lat <= 23.5 and 102.1 <= p.lon <= 109.5, p.code


def test_a_unit_centroid_lies_between_its_former_provinces():
    for p in all_provinces():
        lats = [f.lat for f in p.former]
        lons = [f.lon for f in p.former]
        assert min(lats) - 0.01 <= p.lat <= max(lats) + 0.01, p.code
        assert min(lons) - 0.01 <= p.lon <= max(lons) + 0.01, p.code


@pytest.mark.parametrize("a, b", [
    ("Hoà", "Hòa"), ("Thuỵ", "Thụy"), ("Khánh Hoà", "Khánh Hòa"),
    ("Đà Nẵng", "da nang"), ("  ĐẮK   LẮK ", "dak lak"),
    (unicodedata.normalize("NFD", "Nguyễn"), unicodedata.normalize("NFC", "nguyen")),
])
def test_fold_equates_spellings(a, b):
    assert fold(a) == fold(b)


def test_fold_output():
    assert fold("  Thừa Thiên  HUẾ ") == "thua thien hue"
    assert fold("Đường Ưu Ơi") == "duong uu oi"


def test_province_choices_are_sorted_by_name_in_the_locale():
    vi = province_choices("vi")
    assert len(vi) == 34
    assert ("ca-mau", "Cà Mau") in vi
    assert [fold(label) for _, label in vi] == sorted(fold(label) for _, label in vi)
    # Đà Nẵng sorts with the Ds, not after Z.
    assert [code for code, _ in vi].index("da-nang") < [code for code, _ in vi].index("gia-lai")
    en = dict(province_choices("en_US"))
    assert en["ho-chi-minh"] == "Ho Chi Minh City"


def test_as_dicts_lists_old_names_as_aliases():
    rows = {row["code"]: row for row in as_dicts("vi")}
    assert len(rows) == 34
    ca_mau = rows["ca-mau"]
    assert ca_mau["name"] == "Cà Mau"
    assert "Bạc Liêu" in ca_mau["aliases"]
    assert {f["name"] for f in ca_mau["former_provinces"]} == {"Cà Mau", "Bạc Liêu"}
    assert as_dicts("en")[0]["name"] == "Hanoi"


def _cosine_law_km(lat1, lon1, lat2, lon2):
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    return EARTH_RADIUS_KM * math.acos(
        math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))


def test_hanoi_to_ho_chi_minh_city():
    hanoi, hcmc = get_province("ha-noi"), get_province("ho-chi-minh")
    d = distance_km(hanoi, hcmc)
    assert 1100 <= d <= 1200
    assert d == pytest.approx(_cosine_law_km(hanoi.lat, hanoi.lon, hcmc.lat, hcmc.lon), rel=1e-9)


def test_distance_of_known_arcs():
    # A degree of the equator, and a quarter meridian.
    assert distance_km((0, 0), (0, 1)) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)
    assert distance_km((0, 105), (90, 0)) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)


def test_distance_is_symmetric_zero_on_itself_and_takes_provinces_or_pairs():
    hue, ca_mau = get_province("hue"), get_province("ca-mau")
    assert distance_km(hue, hue) == 0.0
    assert distance_km(hue, ca_mau) == pytest.approx(distance_km(ca_mau, hue))
    assert distance_km(hue, ca_mau) == pytest.approx(
        distance_km((hue.lat, hue.lon), (ca_mau.lat, ca_mau.lon)))
    assert 0 < distance_km(hue, (16.0, 108.0)) < 100


def test_geo_imports_neither_flask_nor_sqlalchemy():
    package = Path(__file__).resolve().parents[3] / "marketplace" / "geo"
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in {"flask", "sqlalchemy", "celery"}, module.name
                if name.startswith("marketplace."):
                    assert name.split(".")[1] in {"geo", "reference"}, module.name
