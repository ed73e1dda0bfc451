"""Spreadsheets for Excel, whoever asks (a page or the API): CSV and .xlsx
from the same typed rows.

CSV: UTF-8 with a byte-order mark, or Excel shows Vietnamese as mojibake;
for a Vietnamese reader ``;`` between cells and ``,`` in decimals, as Excel
set to Vietnamese expects, for an English reader ``,`` and ``.``; rows
written out a few hundred at a time, so an export never sits in memory.
.xlsx (openpyxl, write-only): numbers as numbers, VND with a number format,
moments as dates in Vietnam time, the header in the reader's language.
Text that users typed and that starts with = + - @ never runs as a formula:
in CSV it is prefixed with ', in .xlsx it is stored as a string.
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from marketplace.core.clock import VIETNAM, local_today
from marketplace.web.formats import csv_time
from marketplace.web.i18n import current_locale

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a cell holds, and so how each format writes it.
TEXT, NUMBER, VND, DECIMAL, MOMENT, DAY = "text", "number", "vnd", "decimal", "moment", "day"
_XLSX_FORMATS = {NUMBER: "#,##0", VND: '#,##0 "₫"', DECIMAL: "0.000", MOMENT: "yyyy-mm-dd hh:mm:ss",
                 DAY: "yyyy-mm-dd"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


def neutralised(text: str | None) -> str:
    """User-typed text as a cell no spreadsheet evaluates."""
    text = text or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _vietnam_time(value: datetime) -> datetime:
    """Excel has no time zones: Hà Nội's clock reading, without its offset."""
    return value.astimezone(VIETNAM).replace(tzinfo=None)


def _csv_cell(kind: str, value, decimal_comma: bool):
    if value is None:
        return ""
    if kind == TEXT:
        return neutralised(str(value))
    if kind == DECIMAL:
        text = f"{value:.3f}"
        return text.replace(".", ",") if decimal_comma else text
    if kind == MOMENT:
        return csv_time(value)
    if kind == DAY:
        return value.isoformat()
    return value


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence]) -> Iterator[str]:
    """The BOM and header, then the rows a few hundred at a time, in the
    reader's convention."""
    vietnamese = current_locale() == "vi"
    kinds = [column.kind for column in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if vietnamese else ",", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([column.header for column in columns])
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_cell(kind, value, vietnamese) for kind, value in zip(kinds, row, strict=True)])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _attachment(name: str, extension: str) -> dict:
    return {"Content-Disposition": f"attachment; filename={name}-{local_today().isoformat()}.{extension}",
            "Cache-Control": "no-store"}


def csv_response(name: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    chunks = csv_chunks(columns, rows)
    return Response(stream_with_context(chunk.encode("utf-8") for chunk in chunks), mimetype="text/csv",
                    headers=_attachment(name, "csv"))


def xlsx_file(columns: Sequence[Column], rows: Iterable[Sequence], title: str = "Sheet1"):
    """The workbook in a temporary file, rewound: the rows stream through
    openpyxl's write-only mode and never all sit in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            if value is None:
                cells.append(None)
                continue
            if column.kind == TEXT:
                value = str(value)   # labels may be lazy strings
            elif column.kind == MOMENT:
                value = _vietnam_time(value)
            elif column.kind == DAY and isinstance(value, datetime):
                value = value.date()
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == TEXT:
                cell.data_type = "s"   # "=..." typed by a user stays text, never a formula
            elif column.kind in _XLSX_FORMATS:
                cell.number_format = _XLSX_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)
    workbook.save(spooled)
    spooled.seek(0)
    return spooled


def xlsx_response(name: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    stream = xlsx_file(columns, rows, title=name)

    def chunks():
        try:
            while block := stream.read(256 * 1024):
                yield block
        finally:
            stream.close()
    return Response(chunks(), mimetype=XLSX_MIMETYPE, headers=_attachment(name, "xlsx"))


def table_response(name: str, extension: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    """``extension`` is "csv" or "xlsx": the same export in either format."""
    if extension == "xlsx":
        return xlsx_response(name, columns, rows)
    return csv_response(name, columns, rows)

