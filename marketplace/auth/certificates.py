"""A producer's scan of the OCOP certificate, for the programme staff who
verify it: a photo (decoded, re-encoded as WebP, its metadata dropped) or a
PDF (opened by pypdf, not trusted by name), at most MAX_BYTES. Kept under
DOCUMENTS_ROOT, named by content hash, and served through the app only, to
the owner and to admins: unlike listing photos it is not public."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.images import decoded, refusal, webp
from marketplace.core.uploads import write_once
from marketplace.core.validation import NotAllowed
from marketplace.models import Profile, User
from marketplace.models.user import Role

MAX_BYTES = 8 * 1024 * 1024
MAX_PDF_PAGES = 20
# Enough to read a certificate's small print.
LONGEST_SIDE = 2400
MEDIA_TYPES = {"webp": "image/webp", "pdf": "application/pdf"}


def _checked_pdf(data: bytes) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise refusal(_("This PDF is protected by a password: send one the programme staff can open."))
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise refusal(_("This PDF cannot be opened: send the certificate again, or a photo of it.")) from None
    if not 1 <= pages <= MAX_PDF_PAGES:
        raise refusal(_("A certificate scan has at most %(max)d pages.", max=MAX_PDF_PAGES))
    return data


def _content(data: bytes) -> tuple[bytes, str]:
    if not data:
        raise refusal(_("Choose the file of your certificate."))
    if len(data) > MAX_BYTES:
        raise refusal(_("A certificate scan may be at most %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))
    if data.startswith(b"%PDF-"):
        return _checked_pdf(data), "pdf"
    image = decoded(data, _("Send a photo (JPEG, PNG or WebP) or a PDF of your certificate."))
    return webp(image, LONGEST_SIDE), "webp"


def documents_root() -> Path:
    return Path(current_app.config["DOCUMENTS_ROOT"])


def store_certificate_scan(user: User, data: bytes) -> Profile:
    """Keeps ``data`` as the producer's scan (replacing an earlier one), or
    refuses it with a message for the file field; audited, so staff see when it came."""
    if user.role != Role.PRODUCER or user.profile is None:
        raise NotAllowed(_("Only producers send a certificate scan."))
    content, extension = _content(data)
    name = f"{hashlib.sha256(content).hexdigest()}.{extension}"
    write_once(documents_root() / "certificates" / name, content)      # the file first: a row never points at a file that is not there
    profile = user.profile
    profile.certificate_scan, profile.certificate_scan_at = name, utcnow()
    emit_event("user.certificate_sent", target_type="user", target_id=user.id, actor=user, file_type=extension)
    db.session.commit()
    return profile


def certificate_scan(profile: Profile | None) -> tuple[Path, str] | None:
    """(file, media type) of the profile's scan, when there is one on disk."""
    if profile is None or not profile.certificate_scan:
        return None
    path = documents_root() / "certificates" / profile.certificate_scan
    extension = profile.certificate_scan.rpartition(".")[2]
    if extension not in MEDIA_TYPES or not path.is_file():
        return None
    return path, MEDIA_TYPES[extension]


def scan_response(profile: Profile | None):
    """The scan for its owner or an admin (the caller checks who): never
    cached, a PDF downloaded rather than opened in the site's origin."""
    found = certificate_scan(profile) or abort(404)
    path, media_type = found
    extension = path.suffix.lstrip(".")
    response = send_file(path, mimetype=media_type, as_attachment=extension == "pdf",
                         download_name=f"ocop-certificate-{profile.user_id}.{extension}", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
