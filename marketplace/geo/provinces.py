"""The 34 provincial-level units in force since 1 July 2025 (Resolution
202/2025/QH15) and the 63 provinces they were formed from.

Plain data, no Flask: the web forms, the JSON API and the matching engine's
distance term all read it.
"""
from __future__ import annotations

from dataclasses import dataclass

from marketplace.reference import is_english

CITY = "city"
PROVINCE = "province"
REGIONS = ("north", "central", "highlands", "south")


@dataclass(frozen=True)
class FormerProvince:
    """A pre-2025 province. Its area and centroid only serve to place the
    centroid of the unit it joined."""

    name: str
    gso_code: str
    area_km2: int
    lat: float
    lon: float


@dataclass(frozen=True)
class Province:
    """A provincial-level unit. `code` is our stable slug and what we store;
    `gso_code` is the official two-digit code, which may change if the state
    renumbers, so nothing keys on it."""

    code: str
    gso_code: str
    name: str          # short Vietnamese name: "Hồ Chí Minh", "Cà Mau"
    name_vi: str       # official full name: "Thành phố Hồ Chí Minh", "Tỉnh Cà Mau"
    name_en: str
    kind: str          # CITY (centrally governed) or PROVINCE
    region: str        # one of REGIONS
    lat: float
    lon: float
    former: tuple[FormerProvince, ...]   # the pre-2025 provinces it is made of
    aliases: tuple[str, ...]             # other names users type for it

    def label(self, locale: str = "vi") -> str:
        return self.name_en if is_english(locale) else self.name


# name, GSO code, area (km², GSO yearbook, rounded), approximate geographic
# centre (not the provincial capital) to about 0.1 degree.
_FORMER_ROWS = (
    ("Hà Nội", "01", 3360, 21.00, 105.70),
    ("Hà Giang", "02", 7930, 22.75, 104.95),
    ("Cao Bằng", "04", 6700, 22.75, 106.05),
    ("Bắc Kạn", "06", 4860, 22.25, 105.85),
    ("Tuyên Quang", "08", 5868, 22.05, 105.25),
    ("Lào Cai", "10", 6364, 22.35, 104.10),
    ("Điện Biên", "11", 9541, 21.60, 103.00),
    ("Lai Châu", "12", 9069, 22.25, 103.15),
    ("Sơn La", "14", 14110, 21.20, 104.00),
    ("Yên Bái", "15", 6893, 21.75, 104.50),
    ("Hòa Bình", "17", 4590, 20.70, 105.35),
    ("Thái Nguyên", "19", 3522, 21.70, 105.85),
    ("Lạng Sơn", "20", 8310, 21.85, 106.65),
    ("Quảng Ninh", "22", 6208, 21.20, 107.25),
    ("Bắc Giang", "24", 3896, 21.35, 106.45),
    ("Phú Thọ", "25", 3535, 21.30, 105.15),
    ("Vĩnh Phúc", "26", 1236, 21.35, 105.55),
    ("Bắc Ninh", "27", 823, 21.10, 106.10),
    ("Hải Dương", "30", 1668, 20.95, 106.35),
    ("Hải Phòng", "31", 1527, 20.85, 106.65),
    ("Hưng Yên", "33", 930, 20.80, 106.05),
    ("Thái Bình", "34", 1585, 20.50, 106.35),
    ("Hà Nam", "35", 862, 20.55, 105.95),
    ("Nam Định", "36", 1669, 20.20, 106.20),
    ("Ninh Bình", "37", 1412, 20.20, 105.90),
    ("Thanh Hóa", "38", 11115, 20.00, 105.45),
    ("Nghệ An", "40", 16487, 19.20, 104.85),
    ("Hà Tĩnh", "42", 5994, 18.35, 105.75),
    ("Quảng Bình", "44", 7999, 17.50, 106.30),
    ("Quảng Trị", "45", 4701, 16.75, 106.95),
    ("Thừa Thiên Huế", "46", 4947, 16.35, 107.55),
    ("Đà Nẵng", "48", 1285, 16.05, 108.10),
    ("Quảng Nam", "49", 10575, 15.55, 107.95),
    ("Quảng Ngãi", "51", 5155, 15.00, 108.65),
    ("Bình Định", "52", 6066, 14.10, 108.95),
    ("Phú Yên", "54", 5026, 13.15, 109.05),
    ("Khánh Hòa", "56", 5200, 12.30, 109.05),
    ("Ninh Thuận", "58", 3356, 11.70, 108.85),
    ("Bình Thuận", "60", 7943, 11.10, 108.10),
    ("Kon Tum", "62", 9677, 14.65, 107.90),
    ("Gia Lai", "64", 15510, 13.80, 108.10),
    ("Đắk Lắk", "66", 13070, 12.75, 108.20),
    ("Đắk Nông", "67", 6509, 12.20, 107.70),
    ("Lâm Đồng", "68", 9781, 11.75, 108.05),
    ("Bình Phước", "70", 6874, 11.75, 106.90),
    ("Tây Ninh", "72", 4042, 11.35, 106.10),
    ("Bình Dương", "74", 2695, 11.15, 106.65),
    ("Đồng Nai", "75", 5864, 11.05, 107.15),
    ("Bà Rịa – Vũng Tàu", "77", 1983, 10.55, 107.25),
    ("Hồ Chí Minh", "79", 2095, 10.75, 106.65),
    ("Long An", "80", 4495, 10.70, 106.15),
    ("Tiền Giang", "82", 2556, 10.40, 106.30),
    ("Bến Tre", "83", 2395, 10.10, 106.45),
    ("Trà Vinh", "84", 2391, 9.80, 106.30),
    ("Vĩnh Long", "86", 1526, 10.10, 106.00),
    ("Đồng Tháp", "87", 3382, 10.55, 105.65),
    ("An Giang", "89", 3537, 10.50, 105.15),
    ("Kiên Giang", "91", 6352, 9.95, 105.00),
    ("Cần Thơ", "92", 1440, 10.10, 105.60),
    ("Hậu Giang", "93", 1622, 9.80, 105.60),
    ("Sóc Trăng", "94", 3312, 9.60, 105.95),
    ("Bạc Liêu", "95", 2668, 9.30, 105.50),
    ("Cà Mau", "96", 5275, 9.05, 105.05),
)

FORMER_PROVINCES: tuple[FormerProvince, ...] = tuple(FormerProvince(*row) for row in _FORMER_ROWS)

# code, official GSO code, short name, kind, English name, region, the former
# provinces it took over, other spellings people type.
#
# The GSO code is not always that of the province whose name was kept: where
# the new seat is in the other province, the unit kept that province's code
# (Lào Cai sits in Yên Bái: 15; Bắc Ninh in Bắc Giang: 24; Quảng Trị in Đồng
# Hới: 44; Gia Lai in Quy Nhơn: 52; Tây Ninh in Tân An: 80; Đồng Tháp in Mỹ
# Tho: 82; An Giang in Rạch Giá: 91).
#
# The region is that of the province whose name the unit kept, which is what
# people still call it (Quảng Ngãi is "central" although Kon Tum is larger).
_UNIT_ROWS = (
    ("ha-noi", "01", "Hà Nội", CITY, "Hanoi", "north", ("Hà Nội",), ("Hanoi", "Ha Noi")),
    ("cao-bang", "04", "Cao Bằng", PROVINCE, "Cao Bang", "north", ("Cao Bằng",), ()),
    ("tuyen-quang", "08", "Tuyên Quang", PROVINCE, "Tuyen Quang", "north",
     ("Tuyên Quang", "Hà Giang"), ()),
    ("dien-bien", "11", "Điện Biên", PROVINCE, "Dien Bien", "north", ("Điện Biên",), ()),
    ("lai-chau", "12", "Lai Châu", PROVINCE, "Lai Chau", "north", ("Lai Châu",), ()),
    ("son-la", "14", "Sơn La", PROVINCE, "Son La", "north", ("Sơn La",), ()),
    ("lao-cai", "15", "Lào Cai", PROVINCE, "Lao Cai", "north", ("Lào Cai", "Yên Bái"), ()),
    ("thai-nguyen", "19", "Thái Nguyên", PROVINCE, "Thai Nguyen", "north",
     ("Thái Nguyên", "Bắc Kạn"), ("Bắc Cạn",)),
    ("lang-son", "20", "Lạng Sơn", PROVINCE, "Lang Son", "north", ("Lạng Sơn",), ()),
    ("quang-ninh", "22", "Quảng Ninh", PROVINCE, "Quang Ninh", "north", ("Quảng Ninh",), ()),
    ("bac-ninh", "24", "Bắc Ninh", PROVINCE, "Bac Ninh", "north", ("Bắc Ninh", "Bắc Giang"), ()),
    ("phu-tho", "25", "Phú Thọ", PROVINCE, "Phu Tho", "north",
     ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình"), ()),
    ("hai-phong", "31", "Hải Phòng", CITY, "Hai Phong", "north",
     ("Hải Phòng", "Hải Dương"), ("Haiphong",)),
    ("hung-yen", "33", "Hưng Yên", PROVINCE, "Hung Yen", "north", ("Hưng Yên", "Thái Bình"), ()),
    ("ninh-binh", "37", "Ninh Bình", PROVINCE, "Ninh Binh", "north",
     ("Ninh Bình", "Hà Nam", "Nam Định"), ()),
    ("thanh-hoa", "38", "Thanh Hóa", PROVINCE, "Thanh Hoa", "central", ("Thanh Hóa",), ()),
    ("nghe-an", "40", "Nghệ An", PROVINCE, "Nghe An", "central", ("Nghệ An",), ()),
    ("ha-tinh", "42", "Hà Tĩnh", PROVINCE, "Ha Tinh", "central", ("Hà Tĩnh",), ()),
    ("quang-tri", "44", "Quảng Trị", PROVINCE, "Quang Tri", "central",
     ("Quảng Trị", "Quảng Bình"), ()),
    ("hue", "46", "Huế", CITY, "Hue", "central", ("Thừa Thiên Huế",), ("TT Huế",)),
    ("da-nang", "48", "Đà Nẵng", CITY, "Da Nang", "central", ("Đà Nẵng", "Quảng Nam"), ("Danang",)),
    ("quang-ngai", "51", "Quảng Ngãi", PROVINCE, "Quang Ngai", "central",
     ("Quảng Ngãi", "Kon Tum"), ()),
    ("gia-lai", "52", "Gia Lai", PROVINCE, "Gia Lai", "highlands", ("Gia Lai", "Bình Định"), ()),
    ("khanh-hoa", "56", "Khánh Hòa", PROVINCE, "Khanh Hoa", "central",
     ("Khánh Hòa", "Ninh Thuận"), ()),
    ("dak-lak", "66", "Đắk Lắk", PROVINCE, "Dak Lak", "highlands", ("Đắk Lắk", "Phú Yên"),
     ("Daklak", "Đắc Lắc")),
    ("lam-dong", "68", "Lâm Đồng", PROVINCE, "Lam Dong", "highlands",
     ("Lâm Đồng", "Đắk Nông", "Bình Thuận"), ("Đắc Nông",)),
    ("dong-nai", "75", "Đồng Nai", PROVINCE, "Dong Nai", "south", ("Đồng Nai", "Bình Phước"), ()),
    ("ho-chi-minh", "79", "Hồ Chí Minh", CITY, "Ho Chi Minh City", "south",
     ("Hồ Chí Minh", "Bình Dương", "Bà Rịa – Vũng Tàu"),
     ("TP HCM", "TP. Hồ Chí Minh", "TPHCM", "HCMC", "Sài Gòn", "Saigon", "BR-VT")),
    ("tay-ninh", "80", "Tây Ninh", PROVINCE, "Tay Ninh", "south", ("Tây Ninh", "Long An"), ()),
    ("dong-thap", "82", "Đồng Tháp", PROVINCE, "Dong Thap", "south",
     ("Đồng Tháp", "Tiền Giang"), ()),
    ("vinh-long", "86", "Vĩnh Long", PROVINCE, "Vinh Long", "south",
     ("Vĩnh Long", "Bến Tre", "Trà Vinh"), ()),
    ("an-giang", "91", "An Giang", PROVINCE, "An Giang", "south", ("An Giang", "Kiên Giang"), ()),
    ("can-tho", "92", "Cần Thơ", CITY, "Can Tho", "south",
     ("Cần Thơ", "Sóc Trăng", "Hậu Giang"), ()),
    ("ca-mau", "96", "Cà Mau", PROVINCE, "Ca Mau", "south", ("Cà Mau", "Bạc Liêu"), ()),
)


def _centroid(parts: tuple[FormerProvince, ...]) -> tuple[float, float]:
    # An area-weighted mean of the parts' centres. Over a few hundred km the
    # curvature error is far below the 0.1 degree the parts are known to.
    area = sum(p.area_km2 for p in parts)
    lat = sum(p.lat * p.area_km2 for p in parts) / area
    lon = sum(p.lon * p.area_km2 for p in parts) / area
    return round(lat, 2), round(lon, 2)


def _build() -> tuple[Province, ...]:
    by_name = {f.name: f for f in FORMER_PROVINCES}
    claimed: set[str] = set()
    units = []
    for code, gso, name, kind, name_en, region, former_names, spellings in _UNIT_ROWS:
        overlap = claimed.intersection(former_names)
        if overlap:
            raise ValueError(f"{code}: former provinces already taken: {sorted(overlap)}")
        claimed.update(former_names)
        former = tuple(by_name[n] for n in former_names)
        lat, lon = _centroid(former)
        prefix = "Thành phố" if kind == CITY else "Tỉnh"
        aliases = tuple(n for n in former_names if n != name) + spellings
        units.append(Province(code, gso, name, f"{prefix} {name}", name_en, kind, region,
                              lat, lon, former, aliases))
    unclaimed = set(by_name) - claimed
    if unclaimed:
        raise ValueError(f"former provinces in no unit: {sorted(unclaimed)}")
    return tuple(units)


# In official-code order, which runs roughly north to south.
PROVINCES: tuple[Province, ...] = _build()
