import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clients import card
from clients.models import Client, ClientVolume
from tests import factories


def test_tax_number_is_unique(db):
    factories.ClientFactory(tax_number="7701234567")

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ClientFactory(tax_number="7701234567")


def test_clients_without_tax_number_may_be_many(db):
    factories.ClientFactory(tax_number=None, kind="private")
    factories.ClientFactory(tax_number="  ", kind="private")  # blank is stored as none

    assert Client.objects.filter(tax_number__isnull=True).count() == 2


def test_lost_client_needs_the_date_it_was_lost(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ClientFactory(status="lost", lost_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ClientFactory(status="active", lost_on=dt.date(2026, 1, 1))

    lost = factories.ClientFactory(status="lost", lost_on=dt.date(2026, 1, 1))
    assert Client.objects.get(pk=lost.pk).lost_on == dt.date(2026, 1, 1)


def test_volume_is_one_per_client_per_month_and_never_negative(db):
    volume = factories.ClientVolumeFactory(period=dt.date(2026, 3, 1), amount=Decimal("10"))

    with pytest.raises(IntegrityError), transaction.atomic():
        ClientVolume.objects.create(client=volume.client, period=dt.date(2026, 3, 1), amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientVolume.objects.create(client=volume.client, period=dt.date(2026, 4, 1), amount=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClientVolume.objects.create(client=volume.client, period=dt.date(2026, 4, 15), amount=1)

    assert ClientVolume.objects.filter(client=volume.client).count() == 1


def test_contact_left_on_only_when_left(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.KeyContactFactory(left_company=False, left_on=dt.date(2026, 1, 1))


def test_client_weight_follows_importance_tier(db):
    assert [factories.ClientFactory(tier=t).weight for t in "ABC"] == [3, 2, 1]


def test_employee_sees_only_clients_on_their_personal_list(world, employee, colleague, manager):
    assert list(Client.objects.visible_to(employee)) == [world.client]
    assert list(Client.objects.visible_to(colleague)) == [world.colleague_client]
    assert Client.objects.visible_to(manager).count() == 2


def test_one_client_is_visible_by_the_same_rule_as_the_list(world, employee, colleague, manager):
    """``one_visible_to`` (the card's check) agrees with ``visible_to`` for every person and
    client, and for a client that does not exist."""
    from django.contrib.auth.models import AnonymousUser

    ids = [world.client.pk, world.colleague_client.pk, 999_999]
    for user in (employee, colleague, manager, AnonymousUser()):
        for pk in ids:
            one = list(Client.objects.one_visible_to(user, pk))
            assert one == list(Client.objects.visible_to(user).filter(pk=pk)), (user, pk)
            # The card reads its client by the same rule, prepared (clients.card).
            read = card.client_visible_to(user, pk)
            assert ([read["pk"]] if read else []) == [c.pk for c in one], (user, pk)
    assert list(Client.objects.one_visible_to(employee, world.client.pk)) == [world.client]
    assert not Client.objects.one_visible_to(employee, world.colleague_client.pk).exists()
