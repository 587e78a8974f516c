"""The programme's REST API: the same services, rules and visibility as the pages.

Managers see and change their own programmes; management reads all (writes 403); anyone else
sees no programme (404). ``/enrolments/`` lists what the user may see (an employee: their
personal list), but only the programme's manager may assign.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, routers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id answers 404, not 500
from rest_framework.response import Response

from vipcrm import roles

from . import services
from .enums import AssignmentSource
from .filters import EnrolmentFilter
from .models import Enrolment
from .selectors import staff_with_load
from .serializers import (
    AssignSerializer,
    CloseSerializer,
    ConflictSerializer,
    EnrolmentSerializer,
    ProgrammeSerializer,
    SplitApplySerializer,
    StaffMemberSerializer,
)
from .views.access import may_manage, programmes_for


class ProgrammeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProgrammeSerializer
    filterset_fields = ["status"]
    search_fields = ["name"]

    def get_queryset(self):
        return programmes_for(self.request.user).select_related("manager")

    def _managed(self):
        programme = self.get_object()
        if not may_manage(self.request.user, programme):
            raise PermissionDenied
        return programme

    def perform_create(self, serializer):
        if not roles.is_programme_manager(self.request.user):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        data.setdefault("manager", self.request.user)
        serializer.instance = services.programme_create(by=self.request.user, **data)

    def perform_update(self, serializer):
        programme = self._managed()
        serializer.instance = services.programme_update(
            programme=programme, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=None, responses=ProgrammeSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        programme = services.programme_activate(programme=self._managed(), by=request.user)
        return Response(ProgrammeSerializer(programme).data)

    @extend_schema(request=CloseSerializer, responses=ProgrammeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        programme = self._managed()
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = services.programme_close(
            programme=programme, by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(ProgrammeSerializer(programme).data)

    @extend_schema(methods=["get"], responses=StaffMemberSerializer(many=True))
    @extend_schema(methods=["post"], request=StaffMemberSerializer, responses=StaffMemberSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def staff(self, request, pk=None):
        """The staff pool with each person's load; POST adds an employee."""
        if request.method == "GET":
            members = staff_with_load(self.get_object())
            return Response(StaffMemberSerializer(members, many=True).data)
        programme = self._managed()
        serializer = StaffMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.staff_add(
            programme=programme, by=request.user, **serializer.validated_data
        )
        return Response(StaffMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["post"], request=SplitApplySerializer)
    @action(detail=True, methods=["get", "post"], url_path="auto-split", pagination_class=None)
    def auto_split(self, request, pk=None):
        """GET: a proposal for every unassigned client (per person: count, weighted load,
        capacity). POST: apply ``assignments`` (or a fresh proposal) — all rows or none."""
        if request.method == "GET":
            programme = self.get_object()
            return Response(self._proposal(programme, services.split_propose(programme=programme)))
        programme = self._managed()
        serializer = SplitApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            rows = serializer.validated_data.get("assignments")
            if rows is None:
                proposal = services.split_propose(programme=programme)
                assignments = {int(pk): row[0] for pk, row in proposal["rows"].items()}
            else:
                assignments = {row["enrolment"]: row["assignee"] for row in rows}
                if len(assignments) != len(rows):
                    raise ValidationError({"assignments": _("A client appears twice.")})
            count = services.split_apply_assignments(
                programme=programme, assignments=assignments, by=request.user
            )
        return Response({"assigned": count})

    @staticmethod
    def _proposal(programme, proposal):
        members = {member.employee_id: member for member in staff_with_load(programme)}
        people = {
            pk: {
                "employee": pk,
                "kind": member.kind,
                "capacity": member.capacity,
                "held_weight": member.held_weight,
                "count": 0,
                "weighted_load": member.held_weight,
            }
            for pk, member in members.items()
        }
        for assignee, weight in proposal["rows"].values():
            people[assignee]["count"] += 1
            people[assignee]["weighted_load"] += weight
        return {
            "people": list(people.values()),
            "assignments": [
                {"enrolment": int(pk), "assignee": row[0], "weight": row[1]}
                for pk, row in proposal["rows"].items()
            ],
            "unplaced": proposal["unplaced"],
        }


class EnrolmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Clients on programme lists: a manager's programmes, management all, an employee their
    personal list. Filter by programme, segment, region, tier, assessment, assignee, stage, q."""

    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return Enrolment.objects.visible_to(self.request.user).select_related("client")

    @extend_schema(
        request=AssignSerializer, responses={200: EnrolmentSerializer, 409: ConflictSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assigns or reassigns the client (a reassignment needs a reason)."""
        enrolment = get_object_or_404(
            Enrolment.objects.filter(programme__in=programmes_for(request.user)), pk=pk
        )
        if not may_manage(request.user, enrolment.programme):
            raise PermissionDenied
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"].strip()
        if enrolment.assignee_id and not reason:
            raise ValidationError({"reason": [_("Say why the client is reassigned.")]})
        enrolment = services.enrolment_assign(
            enrolment=enrolment,
            assignee=serializer.validated_data["assignee"],
            reason=reason,
            by=request.user,
            source=AssignmentSource.API,
            version=serializer.validated_data.get("version"),
        )
        return Response(EnrolmentSerializer(enrolment).data)


router = routers.SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="api-programme")
router.register("enrolments", EnrolmentViewSet, basename="api-enrolment")

urlpatterns = router.urls
