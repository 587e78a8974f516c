"""CSV and XLSX downloads of a table, shared by every list that exports.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so a
client named ``=HYPERLINK(...)`` could attack whoever opens the export ("CSV injection"). Every
text cell that starts with one of those characters (or with a tab or carriage return, which some
spreadsheets strip before looking) is written with a leading apostrophe, the spreadsheets' own
"this is text" mark. Numbers and dates are written as values, never escaped: ``-5`` stays a number.

Usage::

    return export_response(
        filename="clients", file_format="xlsx", headers=["Name", "Volume"], rows=[[...], ...]
    )
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.encoding import force_str
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = ("csv", "xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's limit on a sheet name.
SHEET_NAME_MAX = 31


def escape_cell(value):
    """The value as it goes into a spreadsheet cell: text that would run as a formula is escaped.

    ``None`` becomes an empty cell; numbers, dates and booleans are kept as they are; anything
    else (e.g. a lazy translation) is turned into text first.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime):
        return value
    text = force_str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Cyrillic text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(escape_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], *, sheet_name: str = "Sheet") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_name))
    sheet.append([_xlsx_value(escape_cell(h)) for h in headers])
    for row in rows:
        sheet.append([_xlsx_value(escape_cell(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Spreadsheets have no time zones: write the local wall-clock time.
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        # openpyxl refuses control characters; they carry nothing a reader needs.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet_title(name: str) -> str:
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    return (name.strip() or "Sheet")[:SHEET_NAME_MAX]


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_CONTENT_TYPE}


def export_file(
    *, filename: str, file_format: str, headers: Sequence, rows: Iterable[Sequence]
) -> tuple[str, bytes]:
    """The table as a file: its name (``<filename>.csv`` or ``.xlsx``, slugified) and bytes."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    stem = slugify(force_str(filename)) or "export"
    if file_format == "csv":
        body = csv_bytes(headers, rows)
    else:
        body = xlsx_bytes(headers, rows, sheet_name=force_str(filename))
    return f"{stem}.{file_format}", body


def file_response(*, name: str, file_format: str, body: bytes) -> HttpResponse:
    """A download of a file made by ``export_file`` (now, or earlier and stored)."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_response(
    *, filename: str, file_format: str, headers: Sequence, rows: Iterable[Sequence]
) -> HttpResponse:
    """A download of the table as ``<filename>.csv`` or ``<filename>.xlsx``."""
    name, body = export_file(filename=filename, file_format=file_format, headers=headers, rows=rows)
    return file_response(name=name, file_format=file_format, body=body)
