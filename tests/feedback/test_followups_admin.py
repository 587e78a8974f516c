"""The admin shows follow-up lifecycles read-only: they move through the services only."""

import pytest
from django.urls import reverse

from tests import factories


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (factories.CorrectiveActionFactory, "status"),
        (factories.OpportunityFactory, "won_value"),
        (factories.ReferralFactory, "became_client"),
        (factories.FollowUpFactory, "done_at"),
    ],
)
def test_admin_change_page_shows_the_lifecycle_read_only(admin_client, factory, field):
    obj = factory()
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    html = admin_client.get(url).content.decode()
    assert f'name="{field}"' not in html
    assert f"field-{field}" in html
