"""Everyone a follow-up list can be filtered by (``feedback.people``): read once, then from the
cache; a new, renamed, deactivated or deleted person shows on the next read, a login does not
read it again."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from feedback import people
from tests import factories


def test_the_people_are_read_once_by_last_name_and_username(db, django_assert_num_queries):
    factories.UserFactory(username="zed", first_name="", last_name="")
    factories.UserFactory(username="olga", first_name="Olga", last_name="Orlova")
    factories.UserFactory(username="gone", is_active=False)

    with django_assert_num_queries(1):
        listed = people.people_choices()
    with django_assert_num_queries(0):
        assert people.people_choices() == listed
    names = [name for _pk, name in listed]
    assert "Olga Orlova" in names and "zed" in names and "gone" not in names
    assert names == [
        name
        for _pk, name in sorted(
            (
                (user.last_name, user.username),
                user.get_full_name() or user.username,
            )
            for user in get_user_model().objects.filter(is_active=True)
        )
    ]


def test_a_change_of_the_people_shows_on_the_next_read(db):
    olga = factories.UserFactory(username="olga", first_name="Olga", last_name="Orlova")
    assert (olga.pk, "Olga Orlova") in people.people_choices()

    newcomer = factories.UserFactory(username="new", first_name="", last_name="")
    assert (newcomer.pk, "new") in people.people_choices()

    olga.last_name = "Smirnova"
    olga.save(update_fields=["last_name"])
    assert (olga.pk, "Olga Smirnova") in people.people_choices()

    olga.is_active = False
    olga.save()
    assert olga.pk not in dict(people.people_choices())

    newcomer.delete()
    assert newcomer.pk not in dict(people.people_choices())


def test_a_login_keeps_the_cached_people(db):
    olga = factories.UserFactory(username="olga", first_name="Olga", last_name="Orlova")
    listed = people.people_choices()
    olga.last_login = olga.date_joined
    olga.save(update_fields=["last_login"])
    get_user_model().objects.filter(pk=olga.pk).update(first_name="Unseen")
    # The login named no listed field: the list is kept (the bypassing update is not seen,
    # which shows that nothing was read again).
    assert people.people_choices() == listed


def test_a_new_person_is_offered_by_the_filter_bars_at_once(world, as_employee):
    urls = [
        reverse("feedback:corrective_action_list"),
        reverse("feedback:opportunity_list"),
        reverse("feedback:referral_list"),
    ]
    for url in urls:
        as_employee.get(url)  # the people are cached now
    newcomer = factories.UserFactory(username="newcomer", first_name="Nina", last_name="Novak")

    for url in urls:
        html = as_employee.get(url).content.decode()
        assert f'<option value="{newcomer.pk}">Nina Novak</option>' in html, url
