from django.urls import include, path
from rest_framework import routers, viewsets

from .filters import ClientFilter
from .models import Client, KeyContact
from .serializers import ClientSerializer, KeyContactSerializer


class ClientViewSet(viewsets.ReadOnlyModelViewSet):
    """Clients the user may see: all for management and managers, the personal list otherwise."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter

    def get_queryset(self):
        return Client.objects.visible_to(self.request.user).select_related("segment", "region")


class KeyContactViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = KeyContactSerializer
    filterset_fields = ["client", "role", "left_company"]

    def get_queryset(self):
        return KeyContact.objects.visible_to(self.request.user)


router = routers.SimpleRouter()
router.register("clients", ClientViewSet, basename="api-client")
router.register("contacts", KeyContactViewSet, basename="api-contact")

urlpatterns = [path("", include(router.urls))]
