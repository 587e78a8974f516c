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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the browsable API's form offers the clients the user may see, never a colleague's
        request = self.context.get("request")
        if request is not None and "client" in self.fields:
            self.fields["client"].queryset = Client.objects.visible_to(request.user)


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
