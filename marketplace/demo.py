"""Demo data for a laptop: producers, distributors and an admin in several
provinces, with real OCOP products and the demand for them, all sharing one
password printed by ``seed-demo``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from marketplace.auth.services import Registration, count_users, create_admin, register_user
from marketplace.core.clock import local_today, utcnow
from marketplace.core.extensions import db
from marketplace.listings.services import ListingInput, create_listing
from marketplace.models import User
from marketplace.models.user import ProfileKind, Role
from marketplace.orders.services import OrderInput, create_order
from marketplace.trade.checks import CertificateInput

DEMO_PASSWORD = "cungcau-demo-2026"
DEMO_ADMIN = "admin@cungcau.vn"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: Role
    display_name: str
    kind: ProfileKind
    province: str
    phone: str
    ocop_certificate_no: str | None = None
    verified: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("nuocmam@cungcau.vn", Role.PRODUCER, "HTX Nước mắm Phú Quốc Hưng Thành",
                ProfileKind.COOPERATIVE, "an-giang", "0297 384 1234", "OCOP-KG-2023-0412", True),
    DemoAccount("tomkho@cungcau.vn", Role.PRODUCER, "Cơ sở Tôm khô Rạch Gốc",
                ProfileKind.HOUSEHOLD, "ca-mau", "0913 456 789", "OCOP-CM-2022-0087", True),
    DemoAccount("gaost25@cungcau.vn", Role.PRODUCER, "HTX Gạo ST25 Hồ Quang Cua",
                ProfileKind.COOPERATIVE, "can-tho", "0299 382 5566", "OCOP-ST-2021-0021", True),
    DemoAccount("mattong@cungcau.vn", Role.PRODUCER, "Công ty Mật ong Bạc Hà Hà Giang",
                ProfileKind.ENTERPRISE, "tuyen-quang", "0219 386 7788", "OCOP-HG-2024-0150", False),
    DemoAccount("chatancuong@cungcau.vn", Role.PRODUCER, "HTX Chè Tân Cương Thái Nguyên",
                ProfileKind.COOPERATIVE, "thai-nguyen", "0208 385 1122", "OCOP-TN-2020-0033", True),
    DemoAccount("nonla@cungcau.vn", Role.PRODUCER, "Làng nghề Nón lá Tây Hồ",
                ProfileKind.HOUSEHOLD, "hue", "0234 352 9900", None, False),
    DemoAccount("bachhoa@cungcau.vn", Role.DISTRIBUTOR, "Chuỗi Bách hoá Xanh Miền Nam",
                ProfileKind.COMPANY, "ho-chi-minh", "028 3822 4455"),
    DemoAccount("dacsan3mien@cungcau.vn", Role.DISTRIBUTOR, "Đặc sản Ba Miền (sàn TMĐT)",
                ProfileKind.ENTERPRISE, "ha-noi", "024 3933 6677"),
    DemoAccount("xuatkhau@cungcau.vn", Role.DISTRIBUTOR, "Mekong Export Trading",
                ProfileKind.COMPANY, "da-nang", "0236 381 2233"),
]


def _days(n: int):
    return local_today() + timedelta(days=n)


def _cert(code: str, number: str, years: int = 2) -> CertificateInput:
    return CertificateInput(code, number, _days(365 * years))


# (producer e-mail, listing). Prices are per base unit (kg, l, piece, ...).
DEMO_LISTINGS = [
    ("nuocmam@cungcau.vn", lambda: ListingInput(
        "Nước mắm Phú Quốc 40 độ đạm", "food.fish_sauce", "l", 3000, 180_000, "Kiên Giang",
        "Nước mắm truyền thống ủ chượp 12 tháng trong thùng gỗ bời lời.", 20, _days(0), _days(180), 4,
        (_cert("ocop", "OCOP-KG-2023-0412"), _cert("haccp", "HACCP-0098")), "PQ-FS-2026-11", "KG-PQ-01")),
    ("tomkho@cungcau.vn", lambda: ListingInput(
        "Tôm khô Rạch Gốc loại 1", "food.seafood", "kg", 400, 950_000, "Bạc Liêu",
        "Tôm đất phơi nắng tự nhiên, không phẩm màu.", 5, _days(0), _days(120), 4,
        (_cert("ocop", "OCOP-CM-2022-0087"),), "RG-TK-0521", "CM-NG-03")),
    ("gaost25@cungcau.vn", lambda: ListingInput(
        "Gạo ST25 ruộng tôm", "food.rice", "tan", 40, 32_000_000, "Sóc Trăng",
        "Gạo ST25 canh tác luân canh lúa – tôm, vụ Đông Xuân.", 1, _days(0), _days(90), 5,
        (_cert("vietgap", "VG-ST-7781"), _cert("organic", "ORG-VN-0456"), _cert("ocop", "OCOP-ST-2021-0021")),
        "ST25-HQC-26", "ST-MX-11")),
    ("mattong@cungcau.vn", lambda: ListingInput(
        "Mật ong bạc hà Mèo Vạc", "food.honey", "l", 600, 420_000, "Hà Giang",
        "Mật ong hoa bạc hà cao nguyên đá, thu hoạch tháng 11.", 10, _days(0), _days(240), 3,
        (_cert("ocop", "OCOP-HG-2024-0150"),), "MV-MO-2026", "HG-MV-02")),
    ("chatancuong@cungcau.vn", lambda: ListingInput(
        "Chè Tân Cương đặc biệt", "beverages.tea", "kg", 800, 650_000, "Thái Nguyên",
        "Chè búp 1 tôm 2 lá, sao tay.", 5, _days(0), _days(200), 4,
        (_cert("vietgap", "VG-TN-3321"), _cert("ocop", "OCOP-TN-2020-0033")), "TC-CH-26", "TN-TC-05")),
    ("nonla@cungcau.vn", lambda: ListingInput(
        "Nón lá bài thơ Huế", "crafts.handicrafts", "piece", 1500, 85_000, "Thừa Thiên Huế",
        "Nón lá hai lớp, lồng tranh và thơ, làm thủ công.", 50, _days(0), None, 0, (), None, None)),
]

# (distributor e-mail, order).
DEMO_ORDERS = [
    ("bachhoa@cungcau.vn", lambda: OrderInput(
        "Cần 20 tấn gạo ST25 cho chuỗi cửa hàng", "food.rice", "tan", 20, 35_000_000, "Hồ Chí Minh",
        "Giao theo đợt, đóng bao 5 kg.", _days(45), 4, ("vietgap",), True)),
    ("bachhoa@cungcau.vn", lambda: OrderInput(
        "Nước mắm truyền thống cho quầy đặc sản", "food.fish_sauce", "l", 1200, 200_000, "Bình Dương",
        "", _days(30), 3, ("haccp",), True)),
    ("dacsan3mien@cungcau.vn", lambda: OrderInput(
        "Mật ong rừng cho sàn TMĐT", "food.honey", "l", 300, 450_000, "Hà Nội",
        "Chai 500 ml, có tem truy xuất.", _days(60), 3, ("ocop",), False)),
    ("dacsan3mien@cungcau.vn", lambda: OrderInput(
        "Chè Thái Nguyên hộp quà Tết", "beverages.tea", "kg", 300, 700_000, "Hà Nội",
        "", _days(40), 4, (), True)),
    ("xuatkhau@cungcau.vn", lambda: OrderInput(
        "Tôm khô xuất khẩu Nhật Bản", "food.seafood", "kg", 250, 1_000_000, "Đà Nẵng",
        "Cần HACCP cho lô xuất.", _days(50), 4, ("haccp",), True)),
    ("xuatkhau@cungcau.vn", lambda: OrderInput(
        "Nón lá quà tặng cho đoàn khách", "crafts.handicrafts", "piece", 500, 100_000, "Quảng Nam",
        "", _days(20), 0, (), True)),
]


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, role) of the demo accounts present in the database."""
    emails = [DEMO_ADMIN, *(account.email for account in DEMO_ACCOUNTS)]
    users = db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.id))
    return [(user.email, user.role.value) for user in users]


def seed_demo() -> bool:
    """Create the demo accounts in an empty database. Does nothing when any
    user exists, so it never touches real data; says whether it seeded."""
    if count_users() > 0:
        return False
    create_admin(DEMO_ADMIN, DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        user = register_user(Registration(
            email=account.email, password=DEMO_PASSWORD, role=account.role,
            display_name=account.display_name, kind=account.kind, province_code=account.province,
            phone=account.phone.replace(" ", ""), ocop_certificate_no=account.ocop_certificate_no,
        ), confirm_by_email=False)
        if account.verified:
            user.profile.verified_at = utcnow()
    db.session.commit()
    users = {u.email: u for u in db.session.scalars(select(User))}
    today = local_today()
    for email, make in DEMO_LISTINGS:
        create_listing(users[email], make(), today)
    for email, make in DEMO_ORDERS:
        create_order(users[email], make(), today)
    return True
