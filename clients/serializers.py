from rest_framework import serializers

from .models import Client, KeyContact


class KeyContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyContact
        fields = [
            "id",
            "client",
            "full_name",
            "role",
            "job_title",
            "phone",
            "email",
            "birthday",
            "verified_on",
            "left_company",
            "left_on",
        ]


class ClientSerializer(serializers.ModelSerializer):
    segment = serializers.StringRelatedField()
    region = serializers.StringRelatedField()

    class Meta:
        model = Client
        fields = [
            "id",
            "kind",
            "name",
            "legal_name",
            "tax_number",
            "segment",
            "region",
            "city",
            "tier",
            "status",
            "lost_on",
            "original_salesperson",
        ]
