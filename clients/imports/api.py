"""The importer over the API: POST a file for the preview, then POST .../commit/ to import it.

``/api/v1/imports/clients/`` and ``/api/v1/imports/volumes/``: the same services, rules and
messages as the pages. Only programme managers import (403 otherwise); a batch is seen only by
its uploader (404 otherwise).
"""

from django.urls import include, path
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from programme.enums import ProgrammeStatus
from programme.models import Programme
from vipcrm import roles
from vipcrm.api import IsAuthenticatedReadOnlyForManagement

from .models import ImportBatch, ImportKind, ImportStatus
from .reading import limit
from .services import import_batch_create, import_batch_request_commit, progress_of


class IsImporter(permissions.BasePermission):
    def has_permission(self, request, view):
        return roles.is_programme_manager(request.user)


class ImportBatchSummarySerializer(serializers.ModelSerializer):
    # Plain strings: as enums, their names would collide with the clients' kind and status.
    kind = serializers.CharField(read_only=True, help_text="clients or volumes")
    status = serializers.CharField(
        read_only=True, help_text="validating, ready, committing, committed or failed"
    )
    progress = serializers.SerializerMethodField(help_text="Percent done while running.")

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "programme",
            "total_rows",
            "new_count",
            "update_count",
            "error_count",
            "message",
            "progress",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields

    def get_progress(self, batch) -> int:
        return progress_of(batch) if batch.is_running else 100


class ImportBatchSerializer(ImportBatchSummarySerializer):
    rows = serializers.JSONField(
        source="outcomes",
        read_only=True,
        help_text="Per row: line, action (new, update, error), label, errors "
        "[{column, message}], notes, client_id.",
    )

    class Meta(ImportBatchSummarySerializer.Meta):
        fields = [*ImportBatchSummarySerializer.Meta.fields, "ignored_columns", "rows"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return  # e.g. while the API schema is generated
        self.fields["programme"].queryset = Programme.objects.managed_by(request.user).exclude(
            status=ProgrammeStatus.CLOSED
        )


class _ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    kind = ImportKind.CLIENTS
    permission_classes = [IsAuthenticatedReadOnlyForManagement, IsImporter]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends = []

    def get_queryset(self):
        queryset = ImportBatch.objects.visible_to(self.request.user).filter(kind=self.kind)
        if self.action == "list":
            queryset = queryset.defer("rows", "outcomes")
        return queryset

    def get_serializer_class(self):
        if self.action == "create":
            return ImportUploadSerializer
        if self.action == "list":
            return ImportBatchSummarySerializer
        return ImportBatchSerializer

    def create(self, request):
        """Uploads a file: answers the preview (each row's outcome) and the batch id."""
        upload = self.get_serializer(data=request.data)
        upload.is_valid(raise_exception=True)
        programme = upload.validated_data.get("programme")
        if programme is not None and self.kind != ImportKind.CLIENTS:
            programme = None
        file = upload.validated_data["file"]
        batch = import_batch_create(
            kind=self.kind,
            content=file.read(limit("IMPORT_MAX_BYTES") + 1),
            file_name=file.name,
            by=request.user,
            programme=programme,
        )
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Imports every row, or none (400 with the reason). 202 while a worker imports it."""
        batch = import_batch_request_commit(batch=self.get_object(), by=request.user)
        code = (
            status.HTTP_200_OK
            if batch.status == ImportStatus.COMMITTED
            else status.HTTP_202_ACCEPTED
        )
        return Response(ImportBatchSummarySerializer(batch).data, status=code)


class ClientImportViewSet(_ImportViewSet):
    kind = ImportKind.CLIENTS


class VolumeImportViewSet(_ImportViewSet):
    kind = ImportKind.VOLUMES


def _routes(prefix, viewset, basename):
    return [
        path(
            f"{prefix}/",
            viewset.as_view({"get": "list", "post": "create"}),
            name=f"{basename}-list",
        ),
        path(
            f"{prefix}/<int:pk>/",
            viewset.as_view({"get": "retrieve"}),
            name=f"{basename}-detail",
        ),
        path(
            f"{prefix}/<int:pk>/commit/",
            viewset.as_view({"post": "commit"}),
            name=f"{basename}-commit",
        ),
    ]


urlpatterns = [
    path("", include(_routes("imports/clients", ClientImportViewSet, "api-import-clients"))),
    path("", include(_routes("imports/volumes", VolumeImportViewSet, "api-import-volumes"))),
]
