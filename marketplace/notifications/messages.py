"""What each kind of notification says, in the reader's language, and where
it leads. Texts are built when shown (page, e-mail, webhook), so a user who
switches language reads old notifications in the new one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from marketplace.models.user import Role
from marketplace.web.formats import format_vnd, quantity
from marketplace.web.labels import unit_label

PRODUCER, DISTRIBUTOR, ADMIN = Role.PRODUCER, Role.DISTRIBUTOR, Role.ADMIN


@dataclass(frozen=True)
class Kind:
    code: str
    label: object                          # for the preferences page (lazy text)
    roles: tuple[Role, ...]                # who may choose channels for it
    title: Callable[[dict], str]
    text: Callable[[dict], str]
    email: bool = True                     # default of the e-mail channel
    webhook: bool = True                   # default of the webhook channel
    mandatory: bool = False                # no preference: always e-mailed at once, no webhook
    inbox: bool = True                     # False: e-mail only, never in the bell (a secret link)


def _deal(p: dict) -> dict:
    """The words a match message uses."""
    return {"listing": p.get("listing_title", ""), "order": p.get("order_title", ""),
            "quantity": f"{quantity(p.get('quantity'))} {unit_label(p.get('unit'))}".strip(),
            "price": format_vnd(p.get("unit_price")), "reason": p.get("reason") or "—"}


def _offer(p: dict) -> dict:
    return {"offer_quantity": f"{quantity(p.get('offer_quantity'))} {unit_label(p.get('unit'))}".strip(),
            "offer_price": format_vnd(p.get("offer_unit_price"))}


def _other(p: dict) -> str:
    return _("The producer") if p.get("party") == "producer" else _("The distributor")


def _author(p: dict) -> str:
    return {"producer": _("The producer"), "distributor": _("The distributor")}.get(
        p.get("author_role"), _("The programme staff"))


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("match.approved", _l("A proposal is approved for me"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("A proposal is approved for you"),
         lambda p: _("“%(listing)s” for “%(order)s”: %(quantity)s at %(price)s. Accept or decline it.",
                     **_deal(p))),
    Kind("match.accepted", _l("The other party accepted"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(party)s accepted the match", party=_other(p)),
         lambda p: _("“%(listing)s” for “%(order)s”: %(quantity)s at %(price)s.", **_deal(p))),
    Kind("match.declined", _l("The other party declined"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(party)s declined the match", party=_other(p)),
         lambda p: _("“%(listing)s” for “%(order)s”: %(quantity)s. Reason: %(reason)s. The quantity is "
                     "released and will be matched again.", **_deal(p))),
    Kind("match.offer_made", _l("The other party proposes new terms"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(party)s proposes new terms", party=_other(p)),
         lambda p: _("“%(listing)s” for “%(order)s”: %(offer_quantity)s at %(offer_price)s. Accept, decline or "
                     "answer with your own terms.", **_deal(p), **_offer(p))),
    Kind("match.offer_accepted", _l("The other party accepted my terms"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(party)s accepted your terms", party=_other(p)),
         lambda p: _("“%(listing)s” for “%(order)s” is now %(quantity)s at %(price)s. Accept the match to "
                     "confirm it.", **_deal(p))),
    Kind("match.offer_declined", _l("The other party declined my terms"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(party)s declined your terms", party=_other(p)),
         lambda p: _("“%(listing)s” for “%(order)s” stays at %(quantity)s at %(price)s.", **_deal(p))),
    Kind("match.confirmed", _l("A match is confirmed"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("Match confirmed"),
         lambda p: _("Both sides accepted “%(listing)s” for “%(order)s”: %(quantity)s at %(price)s. "
                     "Each of you now sees the other's phone and address on the match's page.", **_deal(p))),
    Kind("match.expired", _l("A match expired"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("Match expired"),
         lambda p: _("Nobody acted in time on “%(listing)s” for “%(order)s” (%(quantity)s). "
                     "The quantity is released.", **_deal(p))),
    Kind("match.cancelled", _l("A match is cancelled"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("Match cancelled"),
         lambda p: _("“%(listing)s” for “%(order)s” (%(quantity)s) was cancelled. Reason: %(reason)s.",
                     **_deal(p))),
    Kind("match.shipped", _l("The goods of a deal are on their way"), (DISTRIBUTOR,),
         lambda p: _("Goods shipped"),
         lambda p: _("The producer shipped %(shipped)s of “%(listing)s” for “%(order)s”. Confirm receipt when "
                     "they arrive.", shipped=f"{quantity(p.get('shipped'))} {unit_label(p.get('unit'))}",
                     **_deal(p))),
    Kind("match.fulfilled", _l("A match is fulfilled"), (PRODUCER,),
         lambda p: _("Match fulfilled"),
         lambda p: (_("“%(listing)s” for “%(order)s”: the buyer received %(received)s of %(quantity)s; the rest "
                      "is back in your stock.", received=f"{quantity(p.get('received'))} {unit_label(p.get('unit'))}",
                      **_deal(p)) if p.get("missing")
                    else _("“%(listing)s” for “%(order)s” (%(quantity)s) is marked as fulfilled.", **_deal(p)))),
    Kind("match.rated", _l("I was rated after a deal"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(party)s rated your deal", party=_other(p)),
         lambda p: _("“%(listing)s” for “%(order)s”: %(stars)d of 5 stars.", stars=int(p.get("stars", 0)),
                     **_deal(p))),
    Kind("rating.hidden", _l("My review was hidden"), (),
         lambda p: _("Your review was hidden"),
         lambda p: _("The programme staff hid your review. Reason: %(reason)s.", reason=p.get("reason") or "—"),
         webhook=False, mandatory=True),
    Kind("match.message", _l("A new message about my match"), (PRODUCER, DISTRIBUTOR),
         lambda p: _("%(author)s wrote to you", author=_author(p)),
         lambda p: _("New messages about “%(listing)s” for “%(order)s”. Open the match to read them and "
                     "reply.", **_deal(p))),
    Kind("listing.sold_out", _l("My listing sold out"), (PRODUCER,),
         lambda p: _("Listing sold out"),
         lambda p: _("All the stock of “%(listing)s” is matched. Add stock to keep selling.",
                     listing=p.get("listing_title", ""))),
    Kind("order.filled", _l("My order is filled"), (DISTRIBUTOR,),
         lambda p: _("Order filled"),
         lambda p: _("The whole quantity of “%(order)s” is matched.", order=p.get("order_title", ""))),
    Kind("user.verified", _l("My account is verified"), (PRODUCER,),
         lambda p: _("Your producer account is verified"),
         lambda p: _("The programme staff verified your account; buyers now see the verified badge."),
         webhook=False),
    Kind("moderation.waiting", _l("Proposals wait for moderation"), (ADMIN,),
         lambda p: _("Proposals wait for moderation"),
         lambda p: _("%(count)d proposed matches wait for your review.", count=int(p.get("count", 0))),
         webhook=False),
    Kind("user.suspended", _l("My account is suspended"), (),
         lambda p: _("Your account is suspended"),
         lambda p: _("Reason: %(reason)s. Contact the programme staff of your province.",
                     reason=p.get("reason") or "—"),
         webhook=False, mandatory=True),
    Kind("user.reinstated", _l("My account is active again"), (),
         lambda p: _("Your account is active again"),
         lambda p: _("Reason: %(reason)s. Your listings and orders are visible again. API tokens made before "
                     "the suspension stay revoked: create new ones.", reason=p.get("reason") or "—"),
         webhook=False, mandatory=True),
    Kind("listing.taken_down", _l("My listing was taken down"), (),
         lambda p: _("Your listing was taken down"),
         lambda p: _("The programme staff took down “%(listing)s”. Reason: %(reason)s.",
                     listing=p.get("listing_title", ""), reason=p.get("reason") or "—"),
         webhook=False, mandatory=True),
    Kind("order.taken_down", _l("My order was taken down"), (),
         lambda p: _("Your order was taken down"),
         lambda p: _("The programme staff took down “%(order)s”. Reason: %(reason)s.",
                     order=p.get("order_title", ""), reason=p.get("reason") or "—"),
         webhook=False, mandatory=True),
    Kind("account.password_reset", _l("A link to choose a new password"), (),
         lambda p: _("Choose a new password"),
         lambda p: _("Someone, probably you, asked for a new password for this account. Open the link within "
                     "%(hours)d hour(s) to choose one; it works once. If it was not you, ignore this e-mail: "
                     "your password stays as it is.", hours=int(p.get("hours", 1))),
         webhook=False, mandatory=True, inbox=False),
    Kind("account.confirm_email", _l("A link to confirm my e-mail"), (),
         lambda p: _("Confirm your e-mail"),
         lambda p: _("Welcome to CungCầu! Open the link within %(days)d days to confirm that this e-mail is "
                     "yours.", days=int(p.get("days", 7))),
         webhook=False, mandatory=True, inbox=False),
    Kind("account.signup_attempt", _l("Someone signed up with my e-mail"), (),
         lambda p: _("Someone tried to create an account with your e-mail"),
         lambda p: _("Your e-mail already has a CungCầu account, so no new one was made. If it was you, log "
                     "in, or open the link to choose a new password if you forgot it. If not, you need do "
                     "nothing."),
         webhook=False, mandatory=True, inbox=False),
    Kind("webhook.disabled", _l("A webhook endpoint is disabled"), (),
         lambda p: _("Your webhook endpoint is disabled"),
         lambda p: _("%(url)s failed %(count)d times in a row, so we stopped sending to it. Fix it, "
                     "then enable it again on the webhooks page.", url=p.get("url", ""),
                     count=int(p.get("failures", 0))),
         webhook=False, mandatory=True),
)}


EMAIL_ONLY = tuple(code for code, kind in KINDS.items() if not kind.inbox)


def kinds_for(role: Role) -> list[Kind]:
    """The kinds a user of this role can set preferences for."""
    return [kind for kind in KINDS.values() if role in kind.roles]


def title_of(kind: str, payload: dict) -> str:
    known = KINDS.get(kind)
    return known.title(payload) if known else kind


def text_of(kind: str, payload: dict) -> str:
    known = KINDS.get(kind)
    return known.text(payload) if known else ""


def path_of(kind: str, payload: dict) -> str:
    """Where a notification leads, as a path of this site."""
    target_type, target_id = payload.get("target_type"), payload.get("target_id")
    if kind == "moderation.waiting":
        return "/admin/matches?status=proposed"
    if kind == "webhook.disabled":
        return "/notifications/webhooks"
    if kind == "account.confirm_email":
        return f"/auth/confirm/{payload.get('token', '')}"
    if kind == "account.signup_attempt":
        return "/auth/forgot"
    if kind == "account.password_reset":
        return f"/auth/reset/{payload.get('token', '')}"
    if target_type == "match" and target_id:
        return f"/matches/{target_id}"
    if target_type == "listing" and target_id:
        return f"/listings/{target_id}"
    if target_type == "order" and target_id:
        return f"/orders/{target_id}"
    return "/notifications"
