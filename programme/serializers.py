from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .enums import Assessment, StaffKind
from .models import Enrolment, Programme, StaffMember


class ProgrammeSerializer(serializers.ModelSerializer):
    manager = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "manager",
            "starts_on",
            "deadline",
            "status",
            "previous",
            "activated_at",
            "closed_at",
            "close_reason",
        ]
        read_only_fields = [
            "status",
            "previous",
            "activated_at",
            "closed_at",
            "close_reason",
        ]
        # The service validates the whole programme (dates, manager's role).
        validators = []


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class StaffMemberSerializer(serializers.ModelSerializer):
    employee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    employee_name = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=StaffKind.choices, default=StaffKind.DEDICATED)
    capacity = serializers.FloatField(read_only=True)
    held_count = serializers.IntegerField(read_only=True, default=0)
    held_weight = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "employee",
            "employee_name",
            "kind",
            "capacity",
            "held_count",
            "held_weight",
        ]
        validators = []

    def get_employee_name(self, member) -> str:
        return member.employee.get_full_name() or member.employee.get_username()


class EnrolmentSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    tier = serializers.CharField(source="client.tier", read_only=True)
    # not assessed yet is "": the schema says so (a blank choice)
    assessment = serializers.ChoiceField(
        choices=Assessment.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "programme",
            "client",
            "client_name",
            "tier",
            "assessment",
            "assessment_note",
            "original_salesperson",
            "assignee",
            "assigned_at",
            "stage",
            "stage_changed_at",
            "version",
        ]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text=_(
            "The enrolment's version you read. When sent, a change saved meanwhile by someone "
            "else answers 409 Conflict with the fields that differ, and nothing is overwritten."
        ),
    )


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    yours = serializers.CharField()
    saved = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    """The answer to a save from a stale version (409): what differs, field by field."""

    detail = serializers.CharField()
    code = serializers.CharField()
    version = serializers.IntegerField()
    changes = FieldChangeSerializer(many=True)


class SplitRowSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    assignee = serializers.IntegerField()


class SplitApplySerializer(serializers.Serializer):
    assignments = SplitRowSerializer(
        many=True,
        required=False,
        help_text=_("The reviewed proposal; without it, a fresh proposal is computed and applied."),
    )
