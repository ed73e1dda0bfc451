"""E-mails over SMTP (the MAIL_* settings): a plain-text and an HTML body
from templates/emails/, in the recipient's language, with a link to the
page the notification is about. Without a MAIL_SERVER (development), each
message is written to a file under MAIL_FOLDER instead."""
from __future__ import annotations

import base64
import re
import secrets
import smtplib
import socket
from email.utils import formatdate, parseaddr
from functools import lru_cache
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.notifications.messages import path_of, text_of, title_of

# Errors after which the same message may well go through later.
TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPHeloError,
             ConnectionError, socket.timeout, TimeoutError, OSError)


def site_link(path: str) -> str:
    return current_app.config["SITE_URL"] + path


@lru_cache(maxsize=8)
def _parsed_sender(sender: str) -> tuple[str, str, str]:
    """(header value, envelope address, domain) of MAIL_DEFAULT_SENDER."""
    name, address = parseaddr(sender)
    header = f"{_encoded_words(name)} <{address}>" if name else address
    return header, address, address.rpartition("@")[2] or "cungcau.local"


def _domain() -> str:
    return _parsed_sender(current_app.config["MAIL_DEFAULT_SENDER"])[2]


def _encoded_words(text: str, limit: int = 45) -> str:
    """RFC 2047 base64 words of at most ``limit`` UTF-8 bytes, split between
    characters (whitespace between encoded words is not text, so nothing is lost)."""
    if text.isascii():
        return text
    words, chunk = [], b""
    for char in text:
        encoded = char.encode()
        if len(chunk) + len(encoded) > limit:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word).decode()}?=" for word in words)


class Email:
    """A ready-to-send message: built as bytes directly (the stdlib's
    EmailMessage costs milliseconds a message, too slow for a busy hour)."""

    def __init__(self, to: str, subject: str, text: str, html: str, message_id: str, delivery_ref: str):
        self.to, self.subject, self.text, self.html = to, subject, text, html
        self.message_id, self.delivery_ref = f"<{message_id}@{_domain()}>", delivery_ref
        self.sender = current_app.config["MAIL_DEFAULT_SENDER"]

    def as_bytes(self) -> bytes:
        boundary = f"=_cungcau_{secrets.token_hex(12)}"
        # The same Message-ID on every attempt, so a mail system (or a person) can tell a retry from a new message.
        head = [f"From: {_parsed_sender(self.sender)[0]}", f"To: {self.to}", f"Subject: {_encoded_words(self.subject)}",
                f"Date: {formatdate(localtime=False)}", f"Message-ID: {self.message_id}",
                f"X-CungCau-Delivery: {self.delivery_ref}", "MIME-Version: 1.0",
                f'Content-Type: multipart/alternative; boundary="{boundary}"']
        parts = []
        for subtype, body in (("plain", self.text), ("html", self.html)):
            parts.append(f"--{boundary}\r\nContent-Type: text/{subtype}; charset=utf-8\r\n"
                         f"Content-Transfer-Encoding: base64\r\n\r\n"
                         + base64.encodebytes(body.encode()).decode().replace("\n", "\r\n"))
        return ("\r\n".join(head) + "\r\n\r\n" + "".join(parts) + f"--{boundary}--\r\n").encode("ascii")

    def __getitem__(self, header: str) -> str:
        return {"To": self.to, "Subject": self.subject, "Message-ID": self.message_id,
                "X-CungCau-Delivery": self.delivery_ref}[header]


def _message(to: str, subject: str, text: str, html: str, message_id: str, delivery_ref: str) -> Email:
    return Email(to, subject, text, html, message_id, delivery_ref)


def notification_email(delivery_id: int, user, kind: str, payload: dict) -> Email:
    with force_locale(user.locale or "vi"):
        context = {"user": user, "title": title_of(kind, payload), "text": text_of(kind, payload),
                   "link": site_link(path_of(kind, payload)),
                   "preferences_link": site_link("/notifications/preferences")}
        text = render_template("emails/notification.txt", **context)
        html = render_template("emails/notification.html", **context)
        subject = f"[CungCầu] {context['title']}"
    return _message(user.email, subject, text, html, f"cungcau-delivery-{delivery_id}", str(delivery_id))


def digest_email(user, items: list[tuple[int, str, dict]]) -> Email:
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

    def __enter__(self) -> Smtp:
        config = current_app.config
        self.connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                                       timeout=config["MAIL_TIMEOUT_SECONDS"])
        if config["MAIL_USE_TLS"]:
            self.connection.starttls()
        if config["MAIL_USERNAME"]:
            self.connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        return self

    def send(self, message: Email) -> None:
        """Returns once the server accepted the message; raises otherwise."""
        self.connection.sendmail(_parsed_sender(message.sender)[1], [message.to], message.as_bytes())

    def __exit__(self, *exc) -> None:
        try:
            self.connection.quit()
        except Exception:  # the server already went away: nothing left to say to it
            self.connection.close()



class MailFolder:
    """Development without an SMTP relay: each message becomes an ``.eml``
    file (any mail client opens it) under MAIL_FOLDER, and the log says where,
    instead of retrying forever against a server that is not there."""

    def __enter__(self) -> MailFolder:
        self.folder = Path(current_app.config["MAIL_FOLDER"])
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: Email) -> None:
        name = re.sub(r"[^\w.@-]", "_", f"{message.delivery_ref}-{message.to}")[:150] + ".eml"
        path = self.folder / name
        path.write_bytes(message.as_bytes())
        current_app.logger.info("E-mail to %s written to %s (no MAIL_SERVER set)", message.to, path)

    def __exit__(self, *exc) -> None:
        pass


def transport() -> Smtp | MailFolder:
    """Where e-mails go: the SMTP relay, or files when MAIL_SERVER is empty."""
    return Smtp() if current_app.config["MAIL_SERVER"] else MailFolder()
