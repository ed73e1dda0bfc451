"""Who sees whose contact details on a match: the programme moderates
first, so the parties see each other's phone, e-mail and address only once
both accepted the same terms; admins always see both."""
from __future__ import annotations

from marketplace.matches.lifecycle import party_of
from marketplace.models import Match, MatchStatus, User
from marketplace.models.user import Role
from marketplace.web.formats import zalo_url

SHOWN_FROM = (MatchStatus.CONFIRMED, MatchStatus.SHIPPED, MatchStatus.FULFILLED)


def contacts_shown(match: Match, viewer: User) -> bool:
    if viewer.role == Role.ADMIN:
        return True
    return party_of(match, viewer) is not None and match.status in SHOWN_FROM


def contact_of(user: User) -> dict:
    profile = user.profile
    return {"user_id": user.id, "display_name": user.display_name, "email": user.email,
            "phone": profile.phone if profile else None,
            "province": profile.province_code if profile else None,
            "address": profile.address if profile else None,
            "tax_code": profile.tax_code if profile else None,
            "zalo_url": zalo_url(profile.phone) if profile else None}


def contacts(match: Match, viewer: User) -> dict | None:
    """Both parties' details when ``viewer`` may see them, else None."""
    if not contacts_shown(match, viewer):
        return None
    return {"producer": contact_of(match.producer), "distributor": contact_of(match.distributor)}
