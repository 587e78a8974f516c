"""The import parser and the import under hostile files: any bytes, any cell values. The upload
either stores a batch whose preview marks each row, or refuses the file with a message; a
commit writes every row (all valid) or nothing."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clients.imports.columns import CLIENT_COLUMNS, VOLUME_COLUMNS
from clients.imports.models import ImportBatch, ImportKind, ImportStatus
from clients.imports.reading import read_table
from clients.imports.services import import_batch_commit, import_batch_create
from clients.models import Client, ClientVolume
from tests.core.fuzz import FUZZ, row_counts, value

pytestmark = pytest.mark.django_db


def _csv(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column.label) for column in columns])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _domain_rows():
    """Rows of the domain, leaving out the import batches themselves."""
    counts = row_counts()
    counts.pop("clients.ImportBatch")
    return counts


def _rows(columns):
    cell = st.one_of(value, st.sampled_from([c.example for c in columns]))
    return st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=4)


@FUZZ
@given(content=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode)))
def test_any_bytes_read_as_a_table_or_refused_with_a_message(content):
    for name in ("clients.csv", "clients.xlsx"):
        try:
            table = read_table(content=content, file_name=name, columns=CLIENT_COLUMNS)
        except ValidationError as error:
            assert error.messages and all(error.messages)
        else:
            assert all(isinstance(line, int) for line, _values in table.rows)


@pytest.mark.parametrize(
    ("kind", "columns", "model"),
    [
        (ImportKind.CLIENTS, CLIENT_COLUMNS, Client),
        (ImportKind.VOLUMES, VOLUME_COLUMNS, ClientVolume),
    ],
)
@FUZZ
@given(data=st.data())
def test_hostile_cells_import_all_valid_rows_or_nothing(data, kind, columns, model, manager):
    content = _csv(columns, data.draw(_rows(columns)))
    batches = ImportBatch.objects.count()
    before = _domain_rows()

    try:
        batch = import_batch_create(kind=kind, content=content, file_name="f.csv", by=manager)
    except ValidationError as error:
        assert error.messages and all(error.messages)
        assert ImportBatch.objects.count() == batches
        assert _domain_rows() == before
        return
    assert batch.status == ImportStatus.READY
    assert _domain_rows() == before  # the preview writes only the batch

    try:
        import_batch_commit(batch=batch, by=manager)
    except ValidationError as error:
        assert batch.error_count > 0 and error.messages
        assert _domain_rows() == before
    else:
        assert batch.error_count == 0
        for row in model.objects.all():
            row.full_clean()
