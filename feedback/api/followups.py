"""The API of follow-ups, corrective actions, opportunities, referrals and notifications.

Reads go through ``visible_to``; every change goes through the same service as the pages, so a
rule broken here answers 400 with the service's reason (vipcrm.api_errors)."""

from django.contrib.auth import get_user_model
from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id answers 404, not 500
from rest_framework.response import Response

from clients.enums import ClientKind, ContactRole
from clients.models import Client
from programme.models import Programme

from ..enums import CorrectiveActionStatus, ReferralStatus
from ..models import (
    CorrectiveAction,
    CorrectiveActionStep,
    FollowUp,
    Notification,
    Opportunity,
    Referral,
)
from ..services import followups as services
from ..services import notifications as notification_services
from ..views.opportunities import opportunity_totals

# --- Serializers ----------------------------------------------------------------------------------


class FollowUpSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "client",
            "client_name",
            "programme",
            "report",
            "title",
            "owner",
            "due_on",
            "done_at",
            "done_by",
            "reschedule_reason",
            "created_at",
        ]
        read_only_fields = fields


class RescheduleSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=1000)


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = CorrectiveActionStep
        fields = ["status", "by", "at", "note"]


class CorrectiveActionSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "client",
            "client_name",
            "programme",
            "report",
            "area",
            "complaint",
            "action",
            "owner",
            "due_on",
            "status",
            "opened_by",
            "opened_at",
            "resolved_at",
            "client_informed_at",
            "steps",
        ]
        read_only_fields = fields


class MoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CorrectiveActionStatus.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class HandOverSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True)
    )
    due_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


OPPORTUNITY_TOTALS = inline_serializer(
    "OpportunityTotals",
    {
        **{
            name: serializers.IntegerField()
            for name in (
                "count",
                "open_count",
                "won_count",
                "lost_count",
                "upsell_count",
                "cross_sell_count",
            )
        },
        "open_value": serializers.FloatField(allow_null=True),
        "won_value": serializers.FloatField(allow_null=True),
    },
)


class OpportunitySerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "client",
            "client_name",
            "programme",
            "report",
            "kind",
            "client_position",
            "position",
            "topic",
            "description",
            "expected_value",
            "status",
            "won_value",
            "lost_reason",
            "owner",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class WinSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReferralSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)  # may be blank: not always an address

    class Meta:
        model = Referral
        fields = [
            "id",
            "referring_client",
            "referring_contact",
            "programme",
            "report",
            "person_name",
            "company_name",
            "phone",
            "email",
            "notes",
            "status",
            "owner",
            "became_client",
            "drop_reason",
            "created_at",
            "contacted_at",
            "closed_at",
        ]
        read_only_fields = fields


class ReferralMoveSerializer(serializers.Serializer):
    # The full set of steps, so the schema names one enum; the service refuses a wrong move.
    status = serializers.ChoiceField(choices=ReferralStatus.choices)


class ConvertSerializer(serializers.Serializer):
    client_name = serializers.CharField(max_length=255)
    client_kind = serializers.ChoiceField(choices=ClientKind.choices, default=ClientKind.CORPORATE)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_role = serializers.ChoiceField(
        choices=ContactRole.choices, default=ContactRole.DECISION_MAKER
    )
    contact_phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.none(), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the programmes the user may put the client on: any other id answers exactly like
        # an unknown one, so a programme's existence cannot be probed.
        request = self.context.get("request")
        if request is not None:
            self.fields["programme"].queryset = services.programmes_for_new_client(
                user=request.user
            )


class NewClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "name", "kind", "original_salesperson", "notes"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "key",
            "message",
            "link",
            "created_at",
            "read_at",
            "email_status",
            "email_attempts",
        ]
        read_only_fields = fields


# --- Views ----------------------------------------------------------------------------------------


def _validated(serializer_class, request):
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class FollowUpViewSet(viewsets.ReadOnlyModelViewSet):
    """Follow-ups the user may see; ``done`` and ``reschedule`` (with a reason) change them."""

    serializer_class = FollowUpSerializer
    filterset_fields = ["owner", "programme", "client", "due_on"]

    def get_queryset(self):
        return FollowUp.objects.visible_to(self.request.user).select_related("client")

    @extend_schema(request=None, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        follow_up = services.follow_up_mark_done(follow_up=self.get_object(), by=request.user)
        return Response(FollowUpSerializer(follow_up).data)

    @extend_schema(request=RescheduleSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        follow_up = self.get_object()
        data = _validated(RescheduleSerializer, request)
        follow_up = services.follow_up_reschedule(follow_up=follow_up, by=request.user, **data)
        return Response(FollowUpSerializer(follow_up).data)


class CorrectiveActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Corrective actions with their steps; ``move`` takes the next step, ``hand-over`` changes
    the owner or the due date."""

    serializer_class = CorrectiveActionSerializer
    filterset_fields = ["owner", "programme", "client", "status"]

    def get_queryset(self):
        return (
            CorrectiveAction.objects.visible_to(self.request.user)
            .select_related("client")
            .prefetch_related("steps")
        )

    def _answer(self, corrective_action):
        fresh = self.get_queryset().get(pk=corrective_action.pk)
        return Response(CorrectiveActionSerializer(fresh).data)

    @extend_schema(request=MoveSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        corrective_action = self.get_object()
        data = _validated(MoveSerializer, request)
        return self._answer(
            services.corrective_action_move(
                corrective_action=corrective_action, by=request.user, **data
            )
        )

    @extend_schema(request=HandOverSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over", url_name="hand-over")
    def hand_over(self, request, pk=None):
        corrective_action = self.get_object()
        data = _validated(HandOverSerializer, request)
        return self._answer(
            services.corrective_action_hand_over(
                corrective_action=corrective_action, by=request.user, **data
            )
        )


class OpportunityViewSet(viewsets.ReadOnlyModelViewSet):
    """Opportunities; ``win`` (with the value), ``lose`` (with the reason), and ``totals`` of the
    filtered list, aggregated in the database."""

    serializer_class = OpportunitySerializer
    filterset_fields = ["owner", "programme", "client", "kind", "status"]

    def get_queryset(self):
        return Opportunity.objects.visible_to(self.request.user).select_related("client")

    @extend_schema(responses=OPPORTUNITY_TOTALS)
    @action(detail=False, methods=["get"])
    def totals(self, request):
        return Response(opportunity_totals(self.filter_queryset(self.get_queryset())))

    @extend_schema(request=WinSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        opportunity = self.get_object()
        data = _validated(WinSerializer, request)
        opportunity = services.opportunity_win(
            opportunity=opportunity, value=data["value"], by=request.user
        )
        return Response(OpportunitySerializer(opportunity).data)

    @extend_schema(request=ReasonSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        opportunity = self.get_object()
        data = _validated(ReasonSerializer, request)
        opportunity = services.opportunity_lose(
            opportunity=opportunity, reason=data["reason"], by=request.user
        )
        return Response(OpportunitySerializer(opportunity).data)


class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    """Referrals; ``move`` (contacted, meeting), ``drop`` (with the reason) and ``convert``: the
    referral became a client (created with its first key contact; refused the second time)."""

    serializer_class = ReferralSerializer
    filterset_fields = ["owner", "programme", "referring_client", "status"]

    def get_queryset(self):
        return Referral.objects.visible_to(self.request.user)

    @extend_schema(request=ReferralMoveSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        referral = self.get_object()
        data = _validated(ReferralMoveSerializer, request)
        referral = services.referral_move(referral=referral, status=data["status"], by=request.user)
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=ReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        referral = self.get_object()
        data = _validated(ReasonSerializer, request)
        referral = services.referral_drop(referral=referral, reason=data["reason"], by=request.user)
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=ConvertSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        referral = self.get_object()
        data = _validated(ConvertSerializer, request)
        client = services.referral_convert(referral=referral, by=request.user, **data)
        referral.refresh_from_db()
        return Response(
            {
                "client": NewClientSerializer(client).data,
                "referral": ReferralSerializer(referral).data,
            },
            status=status.HTTP_201_CREATED,
        )


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The user's own notifications; ``read`` marks one read, ``read-all`` every unread one.
    A person's inbox is theirs: management may mark its own notifications read too."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["kind"]

    def get_queryset(self):
        queryset = Notification.objects.visible_to(self.request.user)
        if self.request.query_params.get("unread"):
            queryset = queryset.unread()
        return queryset

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        notification_services.notification_mark_read(notification=notification, user=request.user)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("MarkedRead", {"marked_read": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        count = notification_services.notifications_mark_all_read(user=request.user)
        return Response({"marked_read": count})

    @extend_schema(
        responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
    )
    @action(detail=False, methods=["get"], url_path="unread-count", url_name="unread-count")
    def unread_count(self, request):
        count = Notification.objects.visible_to(request.user).unread().count()
        return Response({"unread": count})


router = routers.SimpleRouter()
router.register("follow-ups", FollowUpViewSet, basename="api-follow-up")
router.register("corrective-actions", CorrectiveActionViewSet, basename="api-corrective-action")
router.register("opportunities", OpportunityViewSet, basename="api-opportunity")
router.register("referrals", ReferralViewSet, basename="api-referral")
router.register("notifications", NotificationViewSet, basename="api-notification")

urlpatterns = [path("", include(router.urls))]
