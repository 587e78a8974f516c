"""Visits, their reports and the personal list over the API: the same services and visibility
as the pages. A visit belongs to its employee: others who may see it read it (403 on writes)."""

from django.urls import include, path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, mixins, routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from programme.models import Enrolment

from .. import my_list
from ..models import Visit, VisitReport
from ..services import reports as report_services
from ..services import visits as visit_services


class VisitSerializer(serializers.ModelSerializer):
    report_status = serializers.CharField(source="report.status", default=None, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "client",
            "enrolment",
            "employee",
            "scheduled_at",
            "place",
            "contacts",
            "status",
            "reschedule_reason",
            "cancel_reason",
            "report_status",
        ]
        read_only_fields = fields


class VisitBookSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    contacts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class VisitRescheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()
    reason = serializers.CharField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=255)
    contacts = serializers.ListField(child=serializers.IntegerField(), required=False)


class VisitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class VisitReportSerializer(serializers.ModelSerializer):
    met_contacts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = VisitReport
        fields = [
            "id",
            "visit",
            "author",
            "status",
            "version",
            "draft",
            "met_contacts",
            "relationship_after",
            "relationship_notes",
            "market_position",
            "prospects",
            "outlook",
            "score_goods",
            "score_services",
            "score_service",
            "recommendation_score",
            "quality_comments",
            "finished_at",
        ]
        read_only_fields = fields


def _contacts(ids, *, client):
    """The client's own contacts: another client's contact id is refused like an unknown one."""
    if ids is None:
        return None
    contacts = list(client.contacts.filter(pk__in=ids))
    if len(contacts) != len(set(ids)):
        raise serializers.ValidationError(
            {"contacts": [_("A chosen person is not a contact of this client.")]}
        )
    return contacts


class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Book (POST), list and read visits; ``reschedule``, ``cancel`` and ``report``."""

    serializer_class = VisitSerializer
    filterset_fields = ["client", "status", "employee"]

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("report")
            .prefetch_related("contacts")
        )

    def _own(self):
        visit = self.get_object()
        if visit.employee_id != self.request.user.pk:
            raise PermissionDenied
        return visit

    def create(self, request, *args, **kwargs):
        data = VisitBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = (
            Enrolment.objects.visible_to(request.user)
            .filter(pk=data.validated_data["enrolment"])
            .first()
        )
        if enrolment is None:
            raise NotFound
        if enrolment.assignee_id != request.user.pk:
            raise PermissionDenied
        visit = visit_services.visit_book(
            enrolment=enrolment,
            by=request.user,
            scheduled_at=data.validated_data["scheduled_at"],
            place=data.validated_data["place"],
            contacts=_contacts(data.validated_data["contacts"], client=enrolment.client),
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        visit = self._own()
        data = VisitRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["contacts"] = _contacts(values.get("contacts"), client=visit.client)
        visit = visit_services.visit_reschedule(visit=visit, by=request.user, **values)
        return Response(VisitSerializer(visit).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        visit = self._own()
        data = VisitCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = visit_services.visit_cancel(
            visit=visit, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(VisitSerializer(visit).data)

    @action(detail=True, methods=["get", "put", "post"], url_path="report")
    def report(self, request, pk=None):
        """GET the report (draft and fields); PUT saves a draft (the report's dict, with the
        ``version`` you read) or, once finished, corrects it (kept in its history); POST
        finishes it (optionally with the dict to save first)."""
        if request.method == "GET":
            visit = self.get_object()
            report = VisitReport.objects.filter(visit=visit).first()
            if report is None:
                return Response({"visit": visit.pk, "status": None, "draft": {}, "version": None})
            return Response(VisitReportSerializer(report).data)
        visit = self._own()
        report = report_services.visit_report_start(visit=visit, by=request.user)
        body = dict(request.data) if isinstance(request.data, dict) else {}
        version = body.pop("version", None)
        if request.method == "PUT" and report.status == "finished":
            report = report_services.visit_report_correct(
                report=report, by=request.user, data=body, version=version
            )
        elif request.method == "PUT":
            report = report_services.visit_report_save_draft(
                report=report, by=request.user, data=body, version=version
            )
        else:
            report = report_services.visit_report_finish(
                report=report, by=request.user, data=body or None, version=version
            )
        report.refresh_from_db()
        return Response(VisitReportSerializer(report).data)


class MyEnrolmentSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name")
    programme_name = serializers.CharField(source="programme.name")
    next_meeting = serializers.DateTimeField(allow_null=True)  # none booked: null
    open_follow_ups = serializers.IntegerField()
    overdue_follow_ups = serializers.IntegerField()
    overdue_actions = serializers.IntegerField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "client",
            "client_name",
            "programme",
            "programme_name",
            "stage",
            "assigned_at",
            "next_meeting",
            "open_follow_ups",
            "overdue_follow_ups",
            "overdue_actions",
        ]


class MyEnrolmentList(generics.ListAPIView):
    """The personal list: the user's clients in active programmes, with what is due."""

    serializer_class = MyEnrolmentSerializer
    filterset_class = my_list.PersonalListFilter
    # The cursor pagination orders the pages; the filter's own ordering is for the page.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Enrolment.objects.none()
        return my_list.personal_list(self.request.user)


router = routers.SimpleRouter()
router.register("visits", VisitViewSet, basename="api-visit")

urlpatterns = [
    path("", include(router.urls)),
    path("me/enrolments/", MyEnrolmentList.as_view(), name="api-my-enrolments"),
]
