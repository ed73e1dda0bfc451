"""Spreadsheets as people send them: .xlsx built with openpyxl, CSV in either convention."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def upload(data: bytes, name: str = "sheet.xlsx"):
    """What a multipart field gives a view: (stream, file name)."""
    return io.BytesIO(data), name
