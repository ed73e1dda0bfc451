"""The profile page: a producer adds the OCOP certificate number skipped at
sign-up and reads where their verification stands; an admin corrects a
profile, audited; a new number lapses a verification and says so."""
from sqlalchemy import select

from marketplace.core.audit import AuditLog
from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.models import Profile
from marketplace.models.user import Role
from tests.support.auth import csrf
from tests.support.factories import UserFactory


def profile_form(**changes) -> dict:
    return {"display_name": "HTX Gạo Mỹ Xuyên", "province": "Sóc Trăng", "phone": "0912345678",
            "address": "Ấp 3, Mỹ Xuyên", "tax_code": "", "ocop_certificate_no": ""} | changes


def test_a_producer_without_a_number_is_told_what_to_do_adds_it_and_can_then_be_verified(auth, client, app):
    producer = UserFactory(role=Role.PRODUCER, profile__ocop_certificate_no=None)
    auth.login(producer.email)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Not verified: add your OCOP certificate number above" in page
    saved = client.post("/auth/profile", data={"csrf_token": csrf(client, "/auth/profile"),
                                               **profile_form(ocop_certificate_no=" OCOP-ST-0099 ")})
    assert saved.status_code == 302
    assert "the programme staff will check certificate OCOP-ST-0099" in client.get("/auth/profile").get_data(
        as_text=True)
    auth.logout()

    auth.login(UserFactory(role=Role.ADMIN).email)
    admin_page = client.get(f"/admin/users/{producer.id}").get_data(as_text=True)
    assert "Verify producer" in admin_page
    client.post(f"/admin/users/{producer.id}/verify", data={"csrf_token": csrf(client, f"/admin/users/{producer.id}"),
                                                             "certificate_no": "ocop-st-0099"})
    db.session.expire_all()
    assert db.session.scalar(select(Profile.verified_at).where(Profile.user_id == producer.id)) is not None


def test_a_verified_producer_who_changes_the_number_is_told_the_verification_lapsed(auth, client, app):
    producer = UserFactory(role=Role.PRODUCER, profile__ocop_certificate_no="OCOP-ST-0001")
    producer.profile.verified_at, producer.profile.verified_certificate_no = utcnow(), "OCOP-ST-0001"
    db.session.commit()
    auth.login(producer.email)
    assert "Verified producer since" in client.get("/auth/profile").get_data(as_text=True)
    same = client.post("/auth/profile", data={"csrf_token": csrf(client, "/auth/profile"),
                                              **profile_form(ocop_certificate_no="ocop-st-0001 ")}, follow_redirects=True)
    assert "verification lapsed" not in same.get_data(as_text=True)
    changed = client.post("/auth/profile", data={"csrf_token": csrf(client, "/auth/profile"),
                                                 **profile_form(ocop_certificate_no="OCOP-ST-0002")},
                          follow_redirects=True)
    assert "your verification lapsed" in changed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Profile.verified_at).where(Profile.user_id == producer.id)) is None


def test_an_admin_corrects_a_producers_profile_audited(auth, client, app):
    producer = UserFactory(role=Role.PRODUCER, profile__ocop_certificate_no="OCOP-ST-0001")
    admin = UserFactory(role=Role.ADMIN)
    auth.login(admin.email)
    page = f"/admin/users/{producer.id}"
    bad = client.post(f"{page}/profile", data={"csrf_token": csrf(client, page),
                                               **{f"profile-{k}": v for k, v in profile_form(phone="12").items()}})
    assert bad.status_code == 400 and 'id="edit-profile" open' in bad.get_data(as_text=True)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "user.profile_edited")) is None

    fixed = profile_form(ocop_certificate_no="OCOP-ST-0077", phone="0987 654 321")
    done = client.post(f"{page}/profile", data={"csrf_token": csrf(client, page),
                                                **{f"profile-{k}": v for k, v in fixed.items()}},
                       follow_redirects=True)
    assert "profile is saved; the change is in the audit log" in done.get_data(as_text=True)
    db.session.expire_all()
    profile = db.session.scalar(select(Profile).where(Profile.user_id == producer.id))
    assert (profile.ocop_certificate_no, profile.phone, profile.address) == ("OCOP-ST-0077", "0987654321",
                                                                           "Ấp 3, Mỹ Xuyên")
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.profile_edited"))
    assert entry.actor_id == admin.id and entry.target_id == producer.id
    assert {"ocop_certificate_no", "phone", "address"} <= set(entry.details["fields"])
    assert "edited an account&#39;s profile" in client.get("/admin/audit").get_data(as_text=True)
