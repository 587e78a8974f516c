"""The downloadable template files: the expected columns with one example row."""

import csv
import io

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .columns import CLIENT_COLUMNS, PROGRAMME_COLUMNS, VOLUME_COLUMNS
from .models import ImportKind


def template_columns(kind: str):
    if kind == ImportKind.VOLUMES:
        return VOLUME_COLUMNS
    return CLIENT_COLUMNS + PROGRAMME_COLUMNS


def _header(column) -> str:
    # Russian users get Russian headers; both languages are accepted on upload.
    return column.russian if translation.get_language() == "ru" else column.key


def template_csv(kind: str) -> bytes:
    columns = template_columns(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_header(column) for column in columns])
    writer.writerow([column.example for column in columns])
    # With a BOM, Excel opens the UTF-8 file with its Cyrillic intact.
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    columns = template_columns(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Import"
    sheet.append([_header(column) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([column.example for column in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=2, column=index).number_format = "@"  # keep tax numbers as text
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(_header(column)) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
