"""Uploaded images, whoever takes them (listing photos, certificate scans):
decoded by Pillow, never trusted by name or type header, turned upright, and
re-encoded as WebP with none of the original's metadata (EXIF and its GPS
position included)."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.core.validation import InvalidInput

# A 12-megapixel phone photo is 12M; anything far above is a decompression bomb.
MAX_PIXELS = 50_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
QUALITY = 80


def refusal(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


def decoded(data: bytes, unreadable: str | None = None) -> Image.Image:
    """The upright image, fully decoded, or a clear refusal (``unreadable``
    says what the caller accepts when the bytes are not such an image)."""
    unreadable = unreadable or _("This file is not a photo we can read (JPEG, PNG or WebP).")
    try:
        image = Image.open(io.BytesIO(data))
        if image.format not in FORMATS:
            raise refusal(unreadable)
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise refusal(_("This image is too large to open (%(pixels)s pixels).", pixels=f"{width}×{height}"))
        image.load()
        return ImageOps.exif_transpose(image)
    except InvalidInput:
        raise
    except Image.DecompressionBombError:
        raise refusal(_("This image is too large to open.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refusal(unreadable) from None


def webp(image: Image.Image, longest: int) -> bytes:
    """``image`` at most ``longest`` pixels on its longer side, as WebP."""
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    if copy.mode not in ("RGB", "RGBA"):
        copy = copy.convert("RGBA" if "A" in copy.getbands() or "transparency" in copy.info else "RGB")
    out = io.BytesIO()
    # No exif= and no icc_profile: nothing of the original's metadata is written.
    copy.save(out, "WEBP", quality=QUALITY, method=4)
    return out.getvalue()
