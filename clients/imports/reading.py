"""Reading an uploaded CSV or XLSX into rows of text, refusing a bad file as a whole.

A bad file (unreadable, wrong encoding, too big, too many rows, missing columns, a formula in a
cell) raises a ValidationError with a translated message before anything is stored.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .columns import header_lookup, normalise

DEFAULT_LIMITS = {
    "IMPORT_MAX_BYTES": 5 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 20_000,
    # Up to this many rows an import is checked and committed while the page waits; more go to
    # a background worker with visible progress.
    "IMPORT_INLINE_ROWS": 2_000,
}


def limit(name: str) -> int:
    return settings.VIPCRM.get(name, DEFAULT_LIMITS[name])


@dataclass
class Table:
    # [(line number in the file, {column key: text}), ...]
    rows: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    encoding: str = ""


# A number or a phone number may start with + or -; anything else starting with = + - @ is
# something a spreadsheet would evaluate (formula injection), and is refused.
_NUMBER_OR_PHONE = re.compile(r"^[+-][\d\s().,+-]*$")


def is_formula(text: str) -> bool:
    if not text:
        return False
    if text[0] in "=@":
        return True
    return text[0] in "+-" and not _NUMBER_OR_PHONE.match(text)


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (with or without BOM) or Windows-1251."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "UTF-8 BOM"
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    # Windows-1251 maps almost every byte; control characters mean it is something else
    # (UTF-16, a binary file saved as .csv).
    if text is None or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise ValidationError(
            _(
                "The file's encoding is not supported. Save it as CSV in UTF-8 or "
                "Windows-1251 (or as XLSX) and upload it again."
            ),
            code="encoding",
        )
    return text, "Windows-1251"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(content: bytes) -> tuple[list, str]:
    text, encoding = decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first_line = sample.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [[cell.strip() for cell in row] for row in reader], encoding
    except csv.Error as error:
        raise ValidationError(
            _("The file cannot be read as CSV: %(error)s") % {"error": error}, code="csv"
        ) from error


def _read_xlsx(content: bytes, max_rows: int) -> list:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ValidationError(
            _("The file cannot be read as XLSX. Save it again from Excel or as CSV."),
            code="xlsx",
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in row])
            # +1 for the header, +1 to know the limit is passed.
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        workbook.close()


def read_table(*, content: bytes, file_name: str, columns, one_of=()) -> Table:
    """Reads the file's first sheet: a header row, then one row per record."""
    max_bytes = limit("IMPORT_MAX_BYTES")
    if len(content) > max_bytes:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB. Split it into parts.")
            % {"size": len(content) / 1024 / 1024, "limit": max_bytes / 1024 / 1024},
            code="size",
        )
    max_rows = limit("IMPORT_MAX_ROWS")
    lower_name = file_name.lower()
    if content.startswith(b"\xd0\xcf\x11\xe0") or lower_name.endswith(".xls"):
        raise ValidationError(
            _("Old Excel files (.xls) are not supported. Save the file as XLSX or CSV."),
            code="format",
        )
    if content.startswith(b"PK\x03\x04") or lower_name.endswith((".xlsx", ".xlsm")):
        raw_rows, encoding = _read_xlsx(content, max_rows), "XLSX"
    else:
        raw_rows, encoding = _read_csv(content)

    raw_rows = [row for row in raw_rows if any(cell for cell in row)]
    if not raw_rows:
        raise ValidationError(_("The file is empty."), code="empty")
    header, *records = raw_rows
    if len(records) > max_rows:
        raise ValidationError(
            ngettext(
                "The file has more than %(limit)d row; split it into parts.",
                "The file has more than %(limit)d rows; split it into parts.",
                max_rows,
            )
            % {"limit": max_rows},
            code="rows",
        )
    if not records:
        raise ValidationError(_("The file has a header row but no rows below it."), code="no_rows")

    lookup = header_lookup(columns)
    keys, ignored, seen = [], [], {}
    for title in header:
        key = lookup.get(normalise(title))
        if key is None:
            if title:
                ignored.append(title)
        elif key in seen:
            raise ValidationError(
                _("The columns “%(first)s” and “%(second)s” both mean %(column)s; keep one.")
                % {"first": seen[key], "second": title, "column": _label(columns, key)},
                code="duplicate_column",
            )
        else:
            seen[key] = title
        keys.append(key)
    _check_required(columns, seen)
    if one_of and not any(key in seen for key in one_of):
        raise ValidationError(
            _("The file needs at least one of the columns %(columns)s.")
            % {"columns": ", ".join(f"“{_label(columns, key)}” ({key})" for key in one_of)},
            code="columns",
        )

    # Formulas are refused anywhere in the file, even in a column the import ignores: the file
    # may be exported again and opened in a spreadsheet.
    for line, row in enumerate(raw_rows, start=1):
        for index, text in enumerate(row):
            if is_formula(text):
                raise ValidationError(
                    _(
                        "Cell %(cell)s holds a formula (%(text)s). Imports take values only: "
                        "replace formulas with their values and upload again."
                    )
                    % {"cell": f"{get_column_letter(index + 1)}{line}", "text": text[:40]},
                    code="formula",
                )

    rows = []
    # Lines are counted as a spreadsheet shows them: the header is line 1.
    for line, record in enumerate(records, start=2):
        values = {}
        for index, key in enumerate(keys):
            if key is not None and index < len(record):
                values[key] = record[index]
        rows.append((line, values))
    return Table(rows=rows, ignored_columns=ignored, encoding=encoding)


def _label(columns, key) -> str:
    return next(str(column.label) for column in columns if column.key == key)


def _check_required(columns, present) -> None:
    missing = [column for column in columns if column.required and column.key not in present]
    if missing:
        raise ValidationError(
            ngettext(
                "The file lacks the required column %(columns)s.",
                "The file lacks the required columns %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(f"“{column.label}” ({column.key})" for column in missing)},
            code="columns",
        )
