"""JSON for a ``<script type="application/ld+json">`` data block.

The browser ends a script element at the first ``</script`` whatever the
JSON says, so a product title of ``</script><script>…`` would break out of it:
``<``, ``>`` and ``&`` are written as JSON escapes, which parse back to the
same characters. U+2028 and U+2029 too, for older JavaScript parsers."""
from __future__ import annotations

import json

from markupsafe import Markup

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data) -> Markup:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _ESCAPES.items():
        text = text.replace(char, escape)
    return Markup(text)  # noqa: S704 (escaped above for the script context)
