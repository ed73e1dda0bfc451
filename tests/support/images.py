"""Real image files for the photo tests, made with Pillow."""
from __future__ import annotations

import io

from PIL import ExifTags, Image

GPS = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (10.0, 2.0, 0.0),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (105.0, 47.0, 0.0)}


def jpeg_with_gps(size=(2400, 1800), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 160, 40))
    for x in range(0, size[0], 97):       # some detail, so sizes and hashes differ from a flat colour
        image.paste((30, 90, 50), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = GPS
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def png(size=(800, 600), colour=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A small PNG file that would decode to 20,000 × 20,000 pixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def noisy_png(size=(1200, 1000)) -> bytes:
    """A PNG of random pixels: about 3.6 MB, as large as a phone photo, since noise does not compress."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()
