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
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from marketplace.core.clock import VIETNAM, local_today
from marketplace.core.validation import InvalidInput
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


def workbook_response(name: str, sheets: list[tuple[str, list[list]]]) -> Response:
    """A small workbook of plain sheets (a template and its help), the first
    row of each in bold."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([str(cell) for cell in row])
        for cell in sheet[1] if rows else ():
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = min(
                60, max(10, *(len(str(cell.value or "")) + 2 for cell in column)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE, headers=_attachment(name, "xlsx"))


def table_response(name: str, extension: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    """``extension`` is "csv" or "xlsx": the same export in either format."""
    if extension == "xlsx":
        return xlsx_response(name, columns, rows)
    return csv_response(name, columns, rows)



# -- reading: a file a person uploads --------------------------------------------------------

MAX_COLUMNS = 60


def read_table(upload, max_rows: int) -> list[tuple[int, list]]:
    """The rows of an uploaded .xlsx (its first sheet) or .csv, as
    (the sheet's own row number, the cells); the header is row 1. Blank rows
    are left out. InvalidInput names the file when it cannot be read or has
    more than ``max_rows`` rows under the header."""
    name = (getattr(upload, "filename", "") or "").lower()
    data = upload.read()
    if not data:
        raise InvalidInput({"file": _("Choose a file to upload.")})
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _csv_rows(data)
    else:
        raise InvalidInput({"file": _("Upload an Excel file (.xlsx) or a CSV file.")})
    table = []
    for number, cells in rows:
        cells = [cell.strip() if isinstance(cell, str) else cell for cell in cells[:MAX_COLUMNS]]
        if all(cell in (None, "") for cell in cells):
            continue
        if number > max_rows + 1:
            raise InvalidInput({"file": _("At most %(max)d rows per file; split it into several files.",
                                          max=max_rows)})
        table.append((number, cells))
    if not table:
        raise InvalidInput({"file": _("The file is empty.")})
    return table


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [(number, list(cells)) for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
        workbook.close()
    except Exception:  # a damaged or foreign file: openpyxl raises many kinds
        raise InvalidInput({"file": _("This file cannot be read as an Excel workbook (.xlsx).")}) from None
    return rows


def _csv_rows(data: bytes):
    for encoding in ("utf-8-sig", "cp1258"):  # Excel's "CSV UTF-8", else Vietnamese Windows
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput({"file": _("This file cannot be read as text; save it as CSV UTF-8.")})
    if "\x00" in text:
        raise InvalidInput({"file": _("This file cannot be read as text; save it as CSV UTF-8.")})
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        return list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    except csv.Error:
        raise InvalidInput({"file": _("This CSV file is malformed.")}) from None
