"""A listing's certificates and an order's required certifications are rows
keyed by (owner, code); both services change them the same way."""
from __future__ import annotations

from collections.abc import Callable


def sync_certifications(rows: list, wanted: dict[str, dict], make_row: Callable) -> None:
    """Makes ``rows`` hold exactly the codes of ``wanted``, with its values.

    Updated in place: replacing the collection would insert the new rows
    before deleting the old ones and trip the (owner, code) unique key, and a
    code that stays keeps its row.
    """
    current = {row.code: row for row in rows}
    for code, row in current.items():
        if code not in wanted:
            rows.remove(row)
    for code, values in wanted.items():
        row = current.get(code) or make_row(code=code)
        for name, value in values.items():
            setattr(row, name, value)
        if code not in current:
            rows.append(row)
