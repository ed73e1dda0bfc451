"""E-mails over SMTP (the MAIL_* settings): a plain-text and an HTML body
from templates/emails/, in the recipient's language, with a link to the
page the notification is about."""
from __future__ import annotations

import smtplib
import socket
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _

from marketplace.notifications.messages import path_of, text_of, title_of

# Errors after which the same message may well go through later.
# Python folds long non-ASCII subjects into encoded words and loses the space at
# the fold ("kết nốiđã"); unfolded encoded words are read correctly by mail clients.
POLICY = policy.SMTP.clone(max_line_length=998)
TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
             ConnectionError, socket.timeout, TimeoutError, OSError)


def site_link(path: str) -> str:
    return current_app.config["SITE_URL"] + path


def _domain() -> str:
    address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    return address.rpartition("@")[2] or "cungcau.local"


def _message(to: str, subject: str, text: str, html: str, message_id: str, delivery_ref: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    # The same id on every attempt, so a mail system (or a person) can tell a retry from a new message.
    message["Message-ID"] = f"<{message_id}@{_domain()}>"
    message["X-CungCau-Delivery"] = delivery_ref
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def notification_email(delivery_id: int, user, kind: str, payload: dict) -> EmailMessage:
    with force_locale(user.locale or "vi"):
        context = {"user": user, "title": title_of(kind, payload), "text": text_of(kind, payload),
                   "link": site_link(path_of(kind, payload)),
                   "preferences_link": site_link("/notifications/preferences")}
        text = render_template("emails/notification.txt", **context)
        html = render_template("emails/notification.html", **context)
        subject = f"[CungCầu] {context['title']}"
    return _message(user.email, subject, text, html, f"cungcau-delivery-{delivery_id}", str(delivery_id))


def digest_email(user, items: list[tuple[int, str, dict]]) -> EmailMessage:
    """One e-mail with the day's notifications: ``items`` are (delivery id, kind, payload)."""
    with force_locale(user.locale or "vi"):
        entries = [{"title": title_of(kind, payload), "text": text_of(kind, payload),
                    "link": site_link(path_of(kind, payload))} for _id, kind, payload in items]
        context = {"user": user, "entries": entries, "link": site_link("/notifications"),
                   "preferences_link": site_link("/notifications/preferences")}
        text = render_template("emails/digest.txt", **context)
        html = render_template("emails/digest.html", **context)
        subject = "[CungCầu] " + _("Your daily summary: %(count)d notifications", count=len(items))
    first = items[0][0]
    return _message(user.email, subject, text, html, f"cungcau-digest-{user.id}-{first}", f"digest-{first}")


class Smtp:
    """One connection for many messages: ``with Smtp() as smtp: smtp.send(message)``."""

    def __enter__(self) -> "Smtp":
        config = current_app.config
        self.connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                                       timeout=config["MAIL_TIMEOUT_SECONDS"])
        if config["MAIL_USE_TLS"]:
            self.connection.starttls()
        if config["MAIL_USERNAME"]:
            self.connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        return self

    def send(self, message: EmailMessage) -> None:
        """Returns once the server accepted the message; raises otherwise."""
        sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        self.connection.send_message(message, from_addr=sender)

    def __exit__(self, *exc) -> None:
        try:
            self.connection.quit()
        except Exception:  # the server already went away: nothing left to say to it
            self.connection.close()

