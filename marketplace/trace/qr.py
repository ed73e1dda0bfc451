"""QR codes of trace links: segno, error correction Q (M at the least), the 4-module quiet zone kept."""
from __future__ import annotations

import io

import segno

ERROR = "q"


def qr_svg(url: str, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=ERROR, boost_error=False).save(out, kind="svg", scale=scale, border=4, xmldecl=True,
                                                          title=url)
    return out.getvalue()


def qr_png(url: str, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=ERROR, boost_error=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
