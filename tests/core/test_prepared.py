"""vipcrm.prepared: a values() queryset compiled once, run with new parameters, gives what the
queryset gives, in one query, converted as Django converts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from clients.models import ClientVolume, KeyContact
from tests import factories
from vipcrm.prepared import PreparedValues

pytestmark = pytest.mark.django_db


def _volumes(client_id):
    return (
        ClientVolume.objects.filter(client_id=client_id)
        .order_by("-period")
        .values("period", "amount", client_name=F("client__name"))
    )


def test_rows_equal_the_querysets_for_each_parameter(django_assert_num_queries):
    first, second = factories.ClientFactory(name="First"), factories.ClientFactory(name="Second")
    for month in (1, 2, 3):
        factories.ClientVolumeFactory(
            client=first, period=dt.date(2026, month, 1), amount=Decimal(f"{month}00.50")
        )
    factories.ClientVolumeFactory(client=second, period=dt.date(2025, 5, 1), amount=Decimal(7))
    prepared = PreparedValues(_volumes)
    for client in (first, second, first):
        with django_assert_num_queries(1):
            rows = prepared(client_id=client.pk)
        assert rows == list(_volumes(client.pk))
    assert prepared(client_id=first.pk) == [
        {"period": dt.date(2026, 3, 1), "amount": Decimal("300.50"), "client_name": "First"},
        {"period": dt.date(2026, 2, 1), "amount": Decimal("200.50"), "client_name": "First"},
        {"period": dt.date(2026, 1, 1), "amount": Decimal("100.50"), "client_name": "First"},
    ]
    assert prepared(client_id=999_999) == []


def test_a_parameter_used_twice_and_two_parameters():
    client = factories.ClientFactory()
    kept = factories.KeyContactFactory(client=client, full_name="Kept")
    factories.KeyContactFactory(client=client, full_name="Other")
    prepared = PreparedValues(
        lambda client_id, contact_id: (
            KeyContact.objects.filter(client_id=client_id, pk=contact_id)
            .filter(client__pk=client_id)
            .values("full_name")
        )
    )
    assert prepared(client_id=client.pk, contact_id=kept.pk) == [{"full_name": "Kept"}]
    assert prepared(client_id=client.pk + 1, contact_id=kept.pk) == []


def test_wrong_parameters_are_refused():
    prepared = PreparedValues(_volumes)
    with pytest.raises(TypeError, match="client_id"):
        prepared(client=1)
    with pytest.raises(TypeError, match="must be an integer"):
        prepared(client_id="1")


def test_a_parameter_the_sql_does_not_take_is_refused():
    prepared = PreparedValues(lambda client_id: ClientVolume.objects.values("period"))
    with pytest.raises(ValueError, match="client_id"):
        prepared(client_id=1)


def test_only_values_querysets():
    with pytest.raises(TypeError, match="values"):
        PreparedValues(lambda client_id: ClientVolume.objects.filter(client_id=client_id))(
            client_id=1
        )
