"""Spreadsheets for Excel, whoever asks (a page or the API).

UTF-8 with a byte-order mark, or Excel shows Vietnamese as mojibake; rows
written out a few hundred at a time, so an export never sits in memory.
Text that users typed and that starts with = + - @ is prefixed with ' so a
spreadsheet never runs it as a formula (CSV injection).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

from marketplace.core.clock import local_today

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500


def neutralised(text: str | None) -> str:
    """User-typed text as a cell no spreadsheet evaluates."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The BOM and header, then the rows a few hundred at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(name: str, chunks: Iterator[str]) -> Response:
    filename = f"{name}-{local_today().isoformat()}.csv"
    return Response(stream_with_context(chunk.encode("utf-8") for chunk in chunks),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f"attachment; filename={filename}",
                        "Cache-Control": "no-store"})
