"""Demo data for a laptop: a few producers, distributors and an admin in
several provinces, all sharing one password printed by ``seed-demo``."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.auth.services import Registration, count_users, create_admin, register_user
from marketplace.extensions import db
from marketplace.models import User
from marketplace.models.base import utcnow
from marketplace.models.user import ProfileKind, Role

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
        ))
        if account.verified:
            user.profile.verified_at = utcnow()
    db.session.commit()
    return True
