"""Building import files in tests, and counting what an import may write."""

import csv
import io

from openpyxl import Workbook

from clients.models import Client, ClientVolume, KeyContact, Region, Segment
from programme.models import AssignmentChange, Enrolment

CLIENT_HEADER = [
    "name",
    "tax_number",
    "kind",
    "segment",
    "region",
    "tier",
    "contact_name",
    "contact_role",
    "contact_email",
]
VOLUME_HEADER = ["tax_number", "name", "period", "amount"]


def csv_bytes(rows, header=CLIENT_HEADER, *, encoding="utf-8", delimiter=";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=CLIENT_HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Client,
            KeyContact,
            ClientVolume,
            Enrolment,
            AssignmentChange,
            Segment,
            Region,
        )
    }
