"""Permission cases of the importer (pages and API).

Only programme managers import: employees and management get 403 on every importer URL; a batch
belongs to its uploader, so another manager gets 404 for it.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from clients.imports.models import ImportBatch, ImportStatus
from tests.url_cases import DENIED, LOGIN, UrlCase

IMPORTER_PAGE = dict(
    anonymous=LOGIN, employee=403, colleague=403, manager=200, other_manager=200, director=403
)
BATCH_PAGE = {**IMPORTER_PAGE, "other_manager": 404}
IMPORTER_API = {**IMPORTER_PAGE, "anonymous": DENIED}
BATCH_API = {**BATCH_PAGE, "anonymous": DENIED}


def _batch(world, kind="clients"):
    """A checked, committable batch uploaded by the world's programme manager."""
    if kind == "volumes":
        values = {"tax_number": world.client.tax_number, "period": "2026-01", "amount": "5"}
    else:
        values = {"name": "Walker Co", "tax_number": "7701999999"}
    batch = ImportBatch.objects.create(
        kind=kind,
        status=ImportStatus.READY,
        file_name=f"{kind}.csv",
        uploaded_by=world.programme.manager,
        rows=[[2, values]],
        outcomes=[{"line": 2, "action": "new", "label": "x", "errors": [], "notes": []}],
        total_rows=1,
        new_count=1,
    )
    return {"pk": batch.pk}


def _clients_file(world):
    return {"file": SimpleUploadedFile("c.csv", b"name;tax_number\nWalker Co;7701999998\n")}


def _volumes_file(world):
    content = f"tax_number;period;amount\n{world.client.tax_number};2026-02;10\n".encode()
    return {"file": SimpleUploadedFile("v.csv", content)}


def _volume_batch(world):
    return _batch(world, "volumes")


CASES = {
    "clients:import_clients": UrlCase(IMPORTER_PAGE),
    "clients:import_volumes": UrlCase(IMPORTER_PAGE),
    "clients:import_template": [
        UrlCase(IMPORTER_PAGE, kwargs=lambda world: {"kind": "clients", "file_format": "csv"}),
        UrlCase(IMPORTER_PAGE, kwargs=lambda world: {"kind": "volumes", "file_format": "xlsx"}),
    ],
    "clients:import_batch_detail": UrlCase(BATCH_PAGE, kwargs=_batch),
    "clients:import_batch_progress": UrlCase(BATCH_PAGE, kwargs=_batch),
    # A commit answers with a redirect to the batch's page.
    "clients:import_batch_commit": UrlCase(
        {**BATCH_PAGE, "manager": 302}, kwargs=_batch, method="post"
    ),
    "api-import-clients-list": [
        UrlCase(IMPORTER_API),
        UrlCase(
            {**IMPORTER_API, "manager": 201, "other_manager": 201},
            method="post",
            data=_clients_file,
        ),
    ],
    "api-import-clients-detail": UrlCase(BATCH_API, kwargs=_batch),
    "api-import-clients-commit": UrlCase(BATCH_API, kwargs=_batch, method="post"),
    "api-import-volumes-list": [
        UrlCase(IMPORTER_API),
        UrlCase(
            {**IMPORTER_API, "manager": 201, "other_manager": 201},
            method="post",
            data=_volumes_file,
        ),
    ],
    "api-import-volumes-detail": UrlCase(BATCH_API, kwargs=_volume_batch),
    "api-import-volumes-commit": UrlCase(BATCH_API, kwargs=_volume_batch, method="post"),
}
