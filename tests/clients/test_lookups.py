"""The short lists every filter bar shows, kept in the cache: segments and regions
(``clients.lookups``) and a programme's pool (``programme.selectors.pool_choices``). Each is read
once, then from the cache, and a change shows on the next read."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from clients import lookups
from clients.models import Region, Segment
from programme import services
from programme.models import Programme
from programme.selectors import pool_choices
from tests import factories


def test_segments_and_regions_are_read_once(db, django_assert_num_queries):
    factories.SegmentFactory(name="Retail")
    factories.SegmentFactory(name="Banks")
    factories.RegionFactory(name="North")

    with django_assert_num_queries(2):
        segments, regions = lookups.segment_choices(), lookups.region_choices()
    with django_assert_num_queries(0):
        assert lookups.segment_choices() == segments
        assert lookups.region_choices() == regions
    assert [name for _pk, name in segments] == ["Banks", "Retail"]
    assert [name for _pk, name in regions] == ["North"]


def test_a_segment_or_region_saved_or_deleted_shows_on_the_next_read(db):
    retail = factories.SegmentFactory(name="Retail")
    north = factories.RegionFactory(name="North")
    assert lookups.segment_choices() == [(retail.pk, "Retail")]
    assert lookups.region_choices() == [(north.pk, "North")]

    retail.name = "Retail chains"
    retail.save()
    south = Region.objects.create(name="South")
    assert lookups.segment_choices() == [(retail.pk, "Retail chains")]
    assert lookups.region_choices() == [(north.pk, "North"), (south.pk, "South")]

    Segment.objects.get(pk=retail.pk).delete()
    north.delete()
    assert lookups.segment_choices() == []
    assert lookups.region_choices() == [(south.pk, "South")]


def test_a_new_segment_is_offered_by_the_filter_bars_at_once(world, as_manager):
    lists = [
        reverse("clients:client_list"),
        reverse("programme:enrolment_list", args=[world.programme.pk]),
    ]
    for url in lists:
        as_manager.get(url)  # the lists are cached now
    segment = factories.SegmentFactory(name="Shipyards")

    for url in lists:
        html = as_manager.get(url).content.decode()
        assert f'<option value="{segment.pk}">Shipyards</option>' in html, url


def test_the_pool_is_read_once_and_a_change_of_its_people_shows_at_once(
    world, manager, employee, colleague, django_assert_num_queries
):
    programme = Programme.objects.get(pk=world.programme.pk)
    employee.first_name, employee.last_name = "Eva", "Smirnova"
    employee.save()
    colleague_name = colleague.get_full_name() or colleague.username

    first = pool_choices(programme)
    with django_assert_num_queries(0):
        assert pool_choices(programme) == first
    assert dict(first) == {colleague.pk: colleague_name, employee.pk: "Eva Smirnova"}

    # Joining the pool.
    newcomer = factories.staff_user(username="newcomer", first_name="", last_name="")
    services.staff_add(programme=programme, employee=newcomer, kind="dedicated", by=manager)
    assert (newcomer.pk, "newcomer") in pool_choices(programme)

    # A new name.
    employee.last_name = "Orlova"
    employee.save(update_fields=["last_name"])
    assert (employee.pk, "Eva Orlova") in pool_choices(programme)

    # Leaving it.
    member = programme.staff.get(employee=newcomer)
    services.staff_remove(member=member, by=manager)
    assert newcomer.pk not in dict(pool_choices(programme))


def test_a_login_or_a_kind_change_keeps_the_cached_pool(world, manager, employee):
    programme = Programme.objects.get(pk=world.programme.pk)
    pool = pool_choices(programme)
    employee.last_login = employee.date_joined
    employee.save(update_fields=["last_login"])
    member = programme.staff.get(employee=employee)
    services.staff_set_kind(member=member, kind="shared", by=manager)

    get_user_model().objects.filter(pk=employee.pk).update(first_name="Unseen")
    # Neither write named a person: the cached list is kept (the bypassing update above is
    # not seen, which shows that nothing was read again).
    assert pool_choices(programme) == pool
