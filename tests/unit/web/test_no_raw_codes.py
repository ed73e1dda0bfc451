"""Every page a producer, a distributor and an admin meets, in Vietnamese and
in English, shows words and not stored codes: no status, trigger, actor or
certification code, and no sentence of the other language (the catalogue
knows both)."""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from marketplace.core.clock import local_today, utcnow
from marketplace.core.extensions import db
from marketplace.listings.links import slug_of
from marketplace.matches import lifecycle, ratings, runs
from marketplace.models import (
    ListingCertification,
    Match,
    MatchStatus,
    Notification,
    OrderRequiredCertification,
    RunTrigger,
)
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match

CATALOGUE = Path(__file__).parents[3] / "marketplace/translations/vi/LC_MESSAGES/messages.po"
# Stored codes a reader must never meet on a Vietnamese page.
RAW_CODES = re.compile(r"\b(done|queued|running|failed|change|cli|schedule|proposed|approved|confirmed|shipped|"
                       r"fulfilled|cancelled|rejected|declined|expired|haccp|vietgap|organic|iso22000|food\.\w+|"
                       r"partially_matched|sold_out)\b")
MIN_SENTENCE = 24   # shorter fragments ("Email", "OCOP") are the same in both languages


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _fragments(text: str) -> list[str]:
    pieces = re.split(r"%\(\w+\)[sd]|%[sd]|[<>{}]", text)
    return [" ".join(p.split()) for p in pieces if len(" ".join(p.split())) >= MIN_SENTENCE]


def _sentences():
    """(English fragments, Vietnamese fragments) of every translated entry."""
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f)
    english, vietnamese = set(), set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if set(ids) & set(strings):
            continue
        for text in ids:
            english.update(_fragments(text))
        for text in strings:
            vietnamese.update(_fragments(text))
    return english - vietnamese, vietnamese - english


ENGLISH, VIETNAMESE = _sentences()


def build_world(locale: str) -> dict:
    producer = UserFactory(role=Role.PRODUCER, locale=locale, profile__display_name="HTX Gạo Mỹ Xuyên")
    distributor = UserFactory(role=Role.DISTRIBUTOR, locale=locale, profile__display_name="Bách hoá Xanh")
    admin = UserFactory(role=Role.ADMIN, locale=locale)
    certified = ListingFactory(producer=producer, title="Gạo ST25")
    db.session.add_all([ListingCertification(listing_id=certified.id, code="organic"),
                        ListingCertification(listing_id=certified.id, code="vietgap")])
    strict = OrderFactory(distributor=distributor, title="Gạo cần HACCP")
    db.session.add(OrderRequiredCertification(order_id=strict.id, code="haccp"))
    db.session.commit()
    matches = {status: make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                                  status=status).id
               for status in (MatchStatus.PROPOSED, MatchStatus.APPROVED, MatchStatus.CONFIRMED)}
    shipped = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                         status=MatchStatus.CONFIRMED, quantity=300)
    lifecycle.ship(db.session.get(Match, shipped.id), producer,
                   lifecycle.ShipmentInput(300, local_today() - timedelta(days=1), carrier="Viettel Post"))
    fulfilled = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                           status=MatchStatus.CONFIRMED, quantity=300)
    lifecycle.fulfil(db.session.get(Match, fulfilled.id), distributor, 250)
    ratings.rate(db.session.get(Match, fulfilled.id), distributor, 4, "Hàng tốt")
    cancelled = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                           status=MatchStatus.CONFIRMED)
    lifecycle.cancel(db.session.get(Match, cancelled.id), producer, "Hết hàng")
    matches |= {"shipped": shipped.id, "fulfilled": fulfilled.id, "cancelled": cancelled.id}
    run = runs.run_inline(RunTrigger.ADMIN, category="food.rice")
    db.session.add(Notification(user_id=producer.id, kind="user.verified", payload={},
                                dedupe_key=f"raw-codes:{producer.id}", created_at=utcnow()))
    db.session.commit()
    deal_pages = [f"/matches/{match_id}" for match_id in matches.values()]
    # What anyone opens without an account, read here through the same eyes.
    public_pages = [f"/p/{certified.id}-{slug_of(certified.title)}", f"/producers/{producer.id}"]
    return {
        "users": {"producer": producer, "distributor": distributor, "admin": admin},
        "pages": {
            "producer": ["/", "/listings", f"/listings/{certified.id}", f"/listings/{certified.id}/edit",
                         "/listings/mine", "/listings/new", "/listings/import", "/orders", f"/orders/{strict.id}",
                         "/matches", *deal_pages, "/notifications", "/notifications/preferences",
                         "/auth/profile", "/auth/tokens", *public_pages],
            "distributor": ["/", "/orders/mine", f"/orders/{strict.id}", "/orders/new", "/orders/import",
                            f"/listings/{certified.id}", "/matches", *deal_pages, "/notifications", *public_pages],
            "admin": ["/", "/admin/dashboard", "/admin/matches", "/admin/matches?status=proposed", "/admin/deals",
                      "/admin/match-runs", f"/admin/match-runs/{run.id}", "/admin/audit", "/admin/users?q=",
                      f"/admin/users/{producer.id}", f"/admin/users/{distributor.id}", "/admin/policy",
                      f"/listings/{certified.id}", f"/orders/{strict.id}", *deal_pages],
        },
    }


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("role", ["producer", "distributor", "admin"])
def test_pages_speak_one_language_without_codes(app, auth, client, role, locale):
    world = build_world(locale)
    client.set_cookie("lang", locale)
    auth.login(world["users"][role].email)
    problems = []
    for path in world["pages"][role]:
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible(response.get_data(as_text=True))
        if locale == "vi":
            problems += [(path, code) for code in sorted(set(RAW_CODES.findall(text)))]
            problems += [(path, sentence) for sentence in ENGLISH if sentence in text]
        else:
            problems += [(path, sentence) for sentence in VIETNAMESE if sentence in text]
            problems += [(path, "Hữu cơ")] if "Hữu cơ" in text else []
            problems += [(path, code) for code in ("haccp", "vietgap", "food.rice") if code in text]
    assert not problems, problems
