from collections.abc import Mapping

from django.urls import include, path
from django.utils.translation import gettext as _
from rest_framework import mixins, routers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from . import services
from .filters import ClientFilter
from .models import Client, KeyContact
from .serializers import ClientSerializer, KeyContactSerializer


class ClientViewSet(viewsets.ReadOnlyModelViewSet):
    """Clients the user may see: all for management and managers, the personal list otherwise."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter

    def get_queryset(self):
        return Client.objects.visible_to(self.request.user).select_related("segment", "region")


class KeyContactWriteSerializer(serializers.ModelSerializer):
    """What a person may write on a key contact; "verified on" and "left" have their own
    actions (confirm, left), so that they mean the same as in the visit report."""

    class Meta:
        model = KeyContact
        fields = services.EDITABLE_FIELDS


class KeyContactViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Key contacts of the clients the user may see. Writes go through clients.services:
    POST creates, PUT/PATCH edits, POST ``confirm`` sets verified on, POST ``left`` marks that
    the person left."""

    serializer_class = KeyContactSerializer
    filterset_fields = ["client", "role", "left_company"]

    def get_queryset(self):
        return KeyContact.objects.visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, Mapping):  # a JSON list or number: nothing to read
            raise serializers.ValidationError({"client": [_("Choose the client.")]})
        client_id = serializers.IntegerField().run_validation(request.data.get("client"))
        client = Client.objects.visible_to(request.user).filter(pk=client_id).first()
        if client is None:
            raise NotFound
        data = KeyContactWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_create(client=client, by=request.user, **data.validated_data)
        return Response(KeyContactSerializer(contact).data, status=201)

    def update(self, request, *args, **kwargs):
        contact = self.get_object()
        data = KeyContactWriteSerializer(
            contact, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        contact = services.contact_update(contact=contact, by=request.user, **data.validated_data)
        return Response(KeyContactSerializer(contact).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        contact = services.contact_confirm(contact=self.get_object(), by=request.user)
        return Response(KeyContactSerializer(contact).data)

    @action(detail=True, methods=["post"])
    def left(self, request, pk=None):
        contact = services.contact_mark_left(contact=self.get_object(), by=request.user)
        return Response(KeyContactSerializer(contact).data)


router = routers.SimpleRouter()
router.register("clients", ClientViewSet, basename="api-client")
router.register("contacts", KeyContactViewSet, basename="api-contact")

urlpatterns = [path("", include(router.urls))]
