"""Listings and orders from a spreadsheet: the columns a template has, how a
cell becomes a value, and the problems of each row, named by the sheet's own
row number (the header is row 1) and the API's field name.

A column may be headed by the API's field name or by the template's header in
either language, case and diacritics aside. Cells are read the way people
type them: "1,5" tấn, "48.000" dong, 31/12/2026, "VietGAP; HACCP", "có".
Whether the values make a good listing or order is the services' call, as on
the forms."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from marketplace.core.validation import InvalidInput
from marketplace.geo import fold
from marketplace.reference.categories import all_groups
from marketplace.reference.certifications import CERTIFICATIONS
from marketplace.reference.units import UNITS
from marketplace.trade.forms import parse_quantity, parse_whole
from marketplace.web.labels import certification_label
from marketplace.web.spreadsheets import Column, read_table, table_response, workbook_response

MAX_ROWS = 2000
TEXT, QUANTITY, MONEY, DAY, STARS, CODES, FLAG, CATEGORY, UNIT = (
    "text", "quantity", "money", "day", "stars", "codes", "flag", "category", "unit")
_YES = {"1", "yes", "y", "true", "x", "co", "dung"}
_NO = {"0", "no", "n", "false", "khong", "sai", ""}


@dataclass(frozen=True)
class ImportColumn:
    name: str            # the API's field name, and the service input's
    label: object        # the template's header (the form's label, a lazy string)
    kind: str = TEXT
    required: bool = False

    def headers(self) -> set[str]:
        names = {fold(self.name), fold(self.name.replace("_", " "))}
        for locale in ("vi", "en"):
            with force_locale(locale):
                names.add(fold(str(self.label)))
        return names

    def header(self, locale: str) -> str:
        with force_locale(locale):
            return str(self.label)


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict
    problems: list[RowProblem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    rows: int                       # rows read under the header
    created: int                    # stored (0 on a dry run or when any row is wrong)
    errors: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _lookup(options) -> dict[str, str]:
    return {fold(text): code for code, *texts in options for text in (code, *texts)}


_CATEGORIES = _lookup((c.code, c.name_vi, c.name_en) for g in all_groups() for c in g.children)
_UNITS = _lookup((u.code, u.name_vi, u.name_en) for u in UNITS)
_CERTIFICATIONS = _lookup((c.code, c.name, c.label("en")) for c in CERTIFICATIONS)


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date(),
                  lambda t: datetime.strptime(t, "%d-%m-%Y").date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise ValueError(text)


def _number(value, whole: bool):
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if whole and not value.is_integer():
            raise ValueError(value)
        return int(value) if value.is_integer() else Decimal(repr(value))
    text = str(value)
    return parse_whole(text, currency=True) if whole else parse_quantity(text)


def cell_value(kind: str, value):
    """The cell as the service's input expects it; ValueError with the reason."""
    if kind == TEXT:
        return "" if value is None else str(value)
    if value is None or value == "":
        return None
    if kind == QUANTITY:
        return _number(value, whole=False)
    if kind == MONEY:
        return _number(value, whole=True)
    if kind == STARS:
        return int(_number(value, whole=True))
    if kind == DAY:
        return _day(value)
    if kind == FLAG:
        folded = fold(str(value))
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise ValueError(value)
    if kind == CODES:
        parts = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
        return tuple(_CERTIFICATIONS.get(fold(p), p) for p in parts)
    lookup = _CATEGORIES if kind == CATEGORY else _UNITS
    return lookup.get(fold(str(value)), str(value))


_MESSAGES = {
    QUANTITY: lambda: _("Enter a number, e.g. 2000 or 1,5."),
    MONEY: lambda: _("Enter a whole number of dong, without decimals, e.g. 48000 or 48.000."),
    STARS: lambda: _("OCOP stars are 0 (none), 3, 4 or 5."),
    DAY: lambda: _("Enter a date as 31/12/2026 or 2026-12-31."),
    FLAG: lambda: _("Enter yes or no."),
}


def parse_rows(columns: Sequence[ImportColumn], table: list[tuple[int, list]]) -> list[ParsedRow]:
    """The rows under the header, each with the values it gave and the cells
    that did not parse. InvalidInput when the header itself is wrong."""
    (_header_row, header), *rows = table
    by_header = {h: column for column in columns for h in column.headers()}
    positions: dict[int, ImportColumn] = {}
    unknown = []
    for position, title in enumerate(header):
        if title in (None, ""):
            continue
        column = by_header.get(fold(str(title)))
        if column is None:
            unknown.append(str(title))
        elif column in positions.values():
            raise InvalidInput({"file": _("The column %(name)s appears twice.", name=str(title)[:60])})
        else:
            positions[position] = column
    problems = {}
    if unknown:
        problems["file"] = _("Unknown columns: %(names)s. Use the headers of the template.",
                             names=", ".join(name[:40] for name in unknown[:10]))
    missing = [c.header("vi") for c in columns if c.required and c not in positions.values()]
    if missing:
        problems.setdefault("file", _("Missing columns: %(names)s.", names=", ".join(missing)))
    if problems:
        raise InvalidInput(problems)
    if not rows:
        raise InvalidInput({"file": _("The file has a header but no rows.")})
    parsed = []
    for number, cells in rows:
        row = ParsedRow(number, {})
        for position, column in positions.items():
            raw = cells[position] if position < len(cells) else None
            try:
                row.values[column.name] = cell_value(column.kind, raw)
            except (ValueError, OverflowError, ArithmeticError):
                message = _MESSAGES.get(column.kind, lambda: _("Invalid input."))()
                row.problems.append(RowProblem(number, column.name, message))
        parsed.append(row)
    return parsed


def problems_of(row: ParsedRow, error: InvalidInput) -> list[RowProblem]:
    """The service's messages for a row, except on cells already reported."""
    reported = {problem.field for problem in row.problems}
    return [RowProblem(row.row, name, message) for name, message in error.fields.items() if name not in reported]


def run_import(columns: Sequence[ImportColumn], upload, to_input, check, create, dry_run: bool) -> ImportResult:
    """Every row read, turned into the service's input and checked like a
    form; ``create`` stores them all in one transaction, only when no row has
    a problem and this is no dry run."""
    parsed = parse_rows(columns, read_table(upload, MAX_ROWS))
    inputs, errors = [], []
    for row in parsed:
        errors += row.problems
        data = to_input(row.values)
        try:
            check(data)
        except InvalidInput as error:
            errors += problems_of(row, error)
        inputs.append(data)
    if errors or dry_run:
        return ImportResult(rows=len(parsed), created=0, errors=tuple(errors))
    return ImportResult(rows=len(parsed), created=len(create(inputs)), errors=())


def template_rows(columns: Sequence[ImportColumn], locale: str) -> tuple[list, list[list]]:
    """The template's header in ``locale``, and a help sheet: what each column
    takes, and the categories, units and certifications to choose from."""
    with force_locale(locale):
        header = [column.header(locale) for column in columns]
        takes = {TEXT: _("text"), QUANTITY: _("a number in the unit, e.g. 2000 or 1,5"),
                 MONEY: _("whole dong per unit, e.g. 48.000"), DAY: _("a date, e.g. 31/12/2026"),
                 STARS: _("0, 3, 4 or 5"), CODES: _("certifications, separated by commas"),
                 FLAG: _("yes or no"), CATEGORY: _("a category from the list below"),
                 UNIT: _("a unit from the list below")}
        help_rows = [[_("Column"), _("Field name in the API"), _("What it takes"), _("Required")]]
        help_rows += [[column.header(locale), column.name, takes[column.kind],
                       _("yes") if column.required else _("no")] for column in columns]
        help_rows.append([])
        help_rows += [[_("Category"), c.code, c.label(locale)] for g in all_groups() for c in g.children]
        help_rows += [[_("Unit"), u.code, u.label(locale)] for u in UNITS]
        help_rows += [[_("Certification"), c.code, certification_label(c.code)] for c in CERTIFICATIONS]
    return header, help_rows


def template_response(name: str, columns: Sequence[ImportColumn], locale: str, extension: str):
    """The empty template in ``locale``: a header row (and, in .xlsx, a help sheet)."""
    header, help_rows = template_rows(columns, locale)
    with force_locale(locale):
        if extension == "csv":
            return table_response(f"{name}-{locale}", "csv", [Column(h) for h in header], [])
        return workbook_response(f"{name}-{locale}", [(_("Rows"), [header]), (_("Help"), help_rows)])
