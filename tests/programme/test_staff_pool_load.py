"""The staff pool page's load: computed once per change of the list and read from the cache in
between (programme.load), exact right after every kind of write that changes it; its rows
written in Python with the template's markup; the same queries at 1 member and many.

The benchmark measures the time: page ``staff_pool`` (200 people, 100,000 clients)."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.imports.models import ImportKind
from clients.imports.services import import_batch_commit, import_batch_create
from clients.models import Client
from feedback.services import followups as feedback_services
from programme import services
from programme.enums import StaffKind
from programme.models import Enrolment, Programme
from programme.selectors import list_load
from tests import factories

from ..clients.importfiles import csv_bytes
from .test_admin import form_data

pytestmark = pytest.mark.django_db


def page(http, programme):
    response = http.get(reverse("programme:staff_list", args=[programme.pk]))
    assert response.status_code == 200
    return response


def shown(http, programme):
    """``({username: (clients, weight)}, total weight)`` as the page shows them, checked against
    the list read afresh."""
    pool = page(http, programme).context["pool"]
    figures = {m.username: (m.held_count, m.held_weight) for m in pool.members}
    fresh = list_load(Programme.objects.get(pk=programme.pk), fresh=True)
    assert figures == {m.username: fresh.get(m.employee_id, (0, 0)) for m in pool.members}
    assert pool.total_weight == sum(weight for _count, weight in fresh.values())
    return figures, pool.total_weight


@pytest.fixture
def primed(world, as_manager):
    """The world's pool viewed once, so its load is in the cache: each employee holds one
    client of tier B (weight 2)."""
    assert shown(as_manager, world.programme) == (
        {"employee": (1, 2), "colleague": (1, 2)},
        4,
    )
    return world


def enrolment_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "programme_enrolment" in q["sql"]]


# The cache --------------------------------------------------------------------------------------


def test_a_view_after_no_write_does_not_read_the_list(primed, as_manager):
    with CaptureQueriesContext(connection) as queries:
        response = page(as_manager, primed.programme)

    assert enrolment_queries(queries) == []
    assert [(m.held_count, m.held_weight) for m in response.context["pool"].members] == [
        (1, 2),
        (1, 2),
    ]


def test_the_first_view_after_a_write_reads_the_list_once(primed, as_manager, employee):
    factories.EnrolmentFactory(programme=primed.programme, client__tier="A", assignee=employee)

    with CaptureQueriesContext(connection) as queries:
        page(as_manager, primed.programme)
    with CaptureQueriesContext(connection) as again:
        page(as_manager, primed.programme)

    assert len(enrolment_queries(queries)) == 1
    assert "GROUP BY" in enrolment_queries(queries)[0]
    assert enrolment_queries(again) == []


def test_a_write_the_services_do_not_know_about_is_not_seen(primed, as_manager, employee):
    """What the cache means: a change behind the services' back (a bare UPDATE) is not shown
    until the next write that goes through them. Every write path is tested below."""
    Enrolment.objects.filter(pk=primed.colleague_enrolment.pk).update(assignee=employee)

    assert shown_cached(as_manager, primed.programme) == {"employee": (1, 2), "colleague": (1, 2)}


def shown_cached(http, programme):
    pool = page(http, programme).context["pool"]
    return {m.username: (m.held_count, m.held_weight) for m in pool.members}


def test_another_programme_keeps_its_own_load(primed, as_manager, manager, employee):
    other = factories.ProgrammeFactory(manager=manager)
    factories.StaffMemberFactory(programme=other, employee=employee)
    factories.EnrolmentFactory(programme=other, client__tier="A", assignee=employee)

    assert shown(as_manager, other) == ({"employee": (1, 3)}, 3)
    assert shown(as_manager, primed.programme)[0]["employee"] == (1, 2)


# Every write that changes the load --------------------------------------------------------------


def test_assigning_one_client(primed, as_manager, manager, employee):
    services.enrolment_assign(enrolment=primed.colleague_enrolment, assignee=employee, by=manager)

    assert shown(as_manager, primed.programme) == ({"employee": (2, 4), "colleague": (0, 0)}, 4)


def test_assigning_from_the_client_list_page(primed, as_manager, employee):
    response = as_manager.post(
        reverse(
            "programme:enrolment_assign",
            args=[primed.programme.pk, primed.colleague_enrolment.pk],
        ),
        {
            "assignee": employee.pk,
            "reason": "Olga is away",
            "version": primed.colleague_enrolment.version,
        },
    )

    assert response.status_code == 302
    assert shown(as_manager, primed.programme) == ({"employee": (2, 4), "colleague": (0, 0)}, 4)


def test_unassigning(primed, as_manager, manager):
    services.enrolment_assign(enrolment=primed.enrolment, assignee=None, by=manager)

    assert shown(as_manager, primed.programme) == ({"employee": (0, 0), "colleague": (1, 2)}, 4)


def test_bulk_assignment(primed, as_manager, manager, colleague):
    extra = [
        factories.EnrolmentFactory(programme=primed.programme, client__tier=tier) for tier in "AC"
    ]
    shown(as_manager, primed.programme)  # cached again after the new clients

    services.enrolments_assign_bulk(
        programme=primed.programme,
        enrolment_ids=[e.pk for e in extra] + [primed.enrolment.pk],
        assignee=colleague,
        by=manager,
    )

    assert shown(as_manager, primed.programme) == ({"employee": (0, 0), "colleague": (4, 8)}, 8)


def test_applying_a_split(primed, as_manager, manager):
    for tier in "AABC":
        factories.EnrolmentFactory(programme=primed.programme, client__tier=tier)
    assert shown(as_manager, primed.programme)[1] == 4 + 3 + 3 + 2 + 1
    job = services.split_start(programme=primed.programme, by=manager)

    assert services.split_apply(job=job, by=manager) == 4

    figures, total = shown(as_manager, primed.programme)
    assert total == 13
    assert sum(count for count, _weight in figures.values()) == 6
    assert sum(weight for _count, weight in figures.values()) == 13


def test_removing_a_client_from_the_list(primed, as_manager, manager):
    services.enrolment_remove(enrolment=primed.enrolment, by=manager)

    assert shown(as_manager, primed.programme) == ({"employee": (0, 0), "colleague": (1, 2)}, 2)


def test_adding_chosen_clients(primed, as_manager, manager):
    private = factories.ClientFactory(kind="private", tier="A")

    services.client_list_add(programme=primed.programme, clients=[private], by=manager)

    assert shown(as_manager, primed.programme) == ({"employee": (1, 2), "colleague": (1, 2)}, 7)


def test_adding_every_corporate_client(primed, as_manager, manager):
    factories.ClientFactory(tier="A")
    factories.ClientFactory(tier="C")

    services.client_list_add_corporate(programme=primed.programme, by=manager)

    assert shown(as_manager, primed.programme)[1] == 4 + 3 + 1


def test_adding_every_corporate_client_as_a_job(
    primed, as_manager, manager, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("programme.services.splitting.LARGE_LIST", 1)
    factories.ClientFactory(tier="A")
    factories.ClientFactory(tier="A")

    with django_capture_on_commit_callbacks(execute=True):
        services.client_list_add_corporate_start(programme=primed.programme, by=manager)

    assert shown(as_manager, primed.programme)[1] == 4 + 3 + 3


def test_an_enrolment_created_on_its_own(primed, as_manager, colleague):
    factories.EnrolmentFactory(programme=primed.programme, client__tier="A", assignee=colleague)

    assert shown(as_manager, primed.programme) == ({"employee": (1, 2), "colleague": (2, 5)}, 7)


def test_a_referral_converted_onto_the_list(primed, as_manager, manager, employee):
    referral = factories.ReferralFactory(
        referring_client=primed.client, owner=employee, programme=primed.programme
    )

    feedback_services.referral_convert(
        referral=referral, by=manager, client_name="Gamma Trade", programme=primed.programme
    )

    # A new client is of tier C (weight 1), not assigned yet.
    assert shown(as_manager, primed.programme) == ({"employee": (1, 2), "colleague": (1, 2)}, 5)


def test_an_import_enrolling_and_assigning(primed, as_manager, manager, employee):
    header = ["name", "tax_number", "original_salesperson", "assessment", "assignee", "tier"]
    rows = [
        ["Gamma", "7701000001", "", "", "employee", "A"],
        ["Delta", "7701000002", "", "", "", "C"],
    ]
    batch = import_batch_create(
        kind=ImportKind.CLIENTS,
        content=csv_bytes(rows, header),
        file_name="list.csv",
        by=manager,
        programme=primed.programme,
    )

    import_batch_commit(batch=batch, by=manager)

    assert shown(as_manager, primed.programme) == ({"employee": (2, 5), "colleague": (1, 2)}, 8)


def test_an_import_assigning_clients_already_on_the_list(primed, as_manager, manager):
    header = ["name", "tax_number", "assignee"]
    rows = [["Beta Foods", primed.colleague_client.tax_number, "employee"]]
    batch = import_batch_create(
        kind=ImportKind.CLIENTS,
        content=csv_bytes(rows, header),
        file_name="list.csv",
        by=manager,
        programme=primed.programme,
    )

    import_batch_commit(batch=batch, by=manager)

    assert shown(as_manager, primed.programme) == ({"employee": (2, 4), "colleague": (0, 0)}, 4)


def test_an_import_changing_a_clients_tier(primed, as_manager, manager):
    header = ["name", "tax_number", "tier"]
    rows = [["Alfa Steel", primed.client.tax_number, "A"]]
    batch = import_batch_create(
        kind=ImportKind.CLIENTS, content=csv_bytes(rows, header), file_name="c.csv", by=manager
    )

    import_batch_commit(batch=batch, by=manager)

    assert Client.objects.get(pk=primed.client.pk).tier == "A"
    assert shown(as_manager, primed.programme) == ({"employee": (1, 3), "colleague": (1, 2)}, 5)


@pytest.mark.parametrize("update_fields", [None, ["tier"]])
def test_a_clients_tier_saved(primed, as_manager, update_fields):
    client = Client.objects.get(pk=primed.colleague_client.pk)
    client.tier = "C"
    client.save(update_fields=update_fields)

    assert shown(as_manager, primed.programme) == ({"employee": (1, 2), "colleague": (1, 1)}, 3)


def test_a_client_saved_with_the_same_tier_keeps_the_cache(primed, as_manager):
    token = Programme.objects.get(pk=primed.programme.pk).load_token
    client = Client.objects.get(pk=primed.client.pk)
    client.city = "Tver"
    client.save()
    client.refresh_from_db()
    client.save(update_fields=["city"])

    assert Programme.objects.get(pk=primed.programme.pk).load_token == token


def test_a_clients_tier_changed_in_the_admin(primed, as_manager, rf, manager):
    """The client admin saves the client (ModelAdmin.save_model): its tier is seen at once."""
    from django.contrib import admin

    from clients.admin import ClientAdmin

    client = Client.objects.get(pk=primed.client.pk)
    client.tier = "A"
    request = rf.post("/")
    request.user = manager
    ClientAdmin(Client, admin.site).save_model(request, client, form=None, change=True)

    assert shown(as_manager, primed.programme) == ({"employee": (1, 3), "colleague": (1, 2)}, 5)


def test_assigning_in_the_admin(primed, as_manager, logged_in, employee):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:programme_enrolment_change", args=[primed.colleague_enrolment.pk])

    response = logged_in(admin).post(
        url, form_data(primed.colleague_enrolment, assignee=employee.pk)
    )

    assert response.status_code == 302
    assert shown(as_manager, primed.programme) == ({"employee": (2, 4), "colleague": (0, 0)}, 4)


def test_deleting_an_enrolment_in_the_admin(primed, as_manager, logged_in):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:programme_enrolment_delete", args=[primed.enrolment.pk])

    response = logged_in(admin).post(url, {"post": "yes"})

    assert response.status_code == 302
    assert shown(as_manager, primed.programme) == ({"employee": (0, 0), "colleague": (1, 2)}, 2)


def test_deleting_a_client(primed, as_manager):
    Client.objects.get(pk=primed.colleague_client.pk).delete()

    assert shown(as_manager, primed.programme) == ({"employee": (1, 2), "colleague": (0, 0)}, 2)


def test_writes_that_do_not_change_the_load_keep_the_cache(primed, manager, employee):
    token = Programme.objects.get(pk=primed.programme.pk).load_token

    services.enrolment_set_stage(enrolment=primed.enrolment, stage="meeting_booked")
    services.enrolment_assess(
        enrolment=primed.enrolment, assessment="excellent", note="", by=employee
    )
    member = primed.programme.staff.get(employee=employee)
    services.staff_set_kind(member=member, kind=StaffKind.SHARED, by=manager)

    assert Programme.objects.get(pk=primed.programme.pk).load_token == token


def test_a_pool_change_shows_at_once_without_reading_the_list(primed, as_manager, manager):
    newcomer = factories.staff_user(username="newcomer")
    services.staff_add(
        programme=primed.programme, employee=newcomer, kind=StaffKind.DEDICATED, by=manager
    )

    with CaptureQueriesContext(connection) as queries:
        figures = shown_cached(as_manager, primed.programme)

    assert figures == {"employee": (1, 2), "colleague": (1, 2), "newcomer": (0, 0)}
    assert enrolment_queries(queries) == []


# The rows ---------------------------------------------------------------------------------------


def _csrf_free(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


def rows_as_the_template_writes_them(response):
    context = response.context
    return render_to_string(
        "programme/_staff_rows.html",
        {
            "programme": context["programme"],
            "pool": context["pool"],
            "kind_choices": StaffKind.choices,
            "may_manage": context["may_manage"],
        },
        request=response.wsgi_request,
    )


def assert_rows_match_the_template(response):
    ours = _csrf_free(str(response.context["rows_html"]))
    assert parse_html(ours) == parse_html(_csrf_free(rows_as_the_template_writes_them(response)))
    return ours


def test_rows_for_a_manager_are_the_templates(primed, as_manager, employee):
    primed.client.original_salesperson.first_name = "<b>Bold</b>"
    factories.StaffMemberFactory(
        programme=primed.programme,
        employee=factories.staff_user(username="odd", first_name="<i>Odd</i>", last_name="& Co"),
    )
    response = page(as_manager, primed.programme)

    ours = assert_rows_match_the_template(response)
    assert ours.count('name="csrfmiddlewaretoken"') == 6
    assert "&lt;i&gt;Odd&lt;/i&gt; &amp; Co" in ours
    assert (
        '<option value="dedicated" selected>Dedicated</option>'
        '<option value="shared">Shared</option>' in ours
    )
    assert (
        reverse(
            "programme:staff_remove",
            args=[primed.programme.pk, primed.programme.staff.get(employee=employee).pk],
        )
        in ours
    )
    token = response.wsgi_request.META["CSRF_COOKIE"]
    assert token  # the page set the token its forms carry


def test_rows_of_a_closed_programme_are_the_templates(primed, as_manager):
    Programme.objects.filter(pk=primed.programme.pk).update(status="closed")

    ours = assert_rows_match_the_template(page(as_manager, primed.programme))

    assert "<form" not in ours and "<td></td>" in ours


def test_rows_for_management_are_the_templates(primed, as_director):
    ours = assert_rows_match_the_template(page(as_director, primed.programme))

    assert "<form" not in ours
    assert "<td>Shared</td>" in ours


def test_rows_in_russian_are_the_templates(primed, as_manager, settings):
    settings.LANGUAGE_CODE = "ru"
    response = as_manager.get(
        reverse("programme:staff_list", args=[primed.programme.pk]),
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    ours = assert_rows_match_the_template(response)
    assert "Исключить" in ours


def test_posting_the_rows_forms_changes_kind_and_removes(primed, as_manager, manager):
    newcomer = factories.staff_user(username="newcomer")
    member = services.staff_add(
        programme=primed.programme, employee=newcomer, kind=StaffKind.DEDICATED, by=manager
    )
    html = str(page(as_manager, primed.programme).context["rows_html"])
    kind_url = reverse("programme:staff_kind", args=[primed.programme.pk, member.pk])
    remove_url = reverse("programme:staff_remove", args=[primed.programme.pk, member.pk])
    assert f'action="{kind_url}"' in html and f'action="{remove_url}"' in html

    as_manager.post(kind_url, {"kind": "shared"})
    assert primed.programme.staff.get(pk=member.pk).kind == "shared"
    as_manager.post(remove_url)
    assert not primed.programme.staff.filter(pk=member.pk).exists()


def crispy_fields(form):
    from django.template import engines

    template = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")
    return template.render({"form": form})


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"employee": "", "kind": "shared"},
        {"employee": "999999", "kind": "part-time"},
        {"employee": "newcomer", "kind": "dedicated"},
    ],
    ids=["blank", "employee missing", "both wrong", "valid"],
)
def test_add_form_is_crispys_markup(primed, data, settings):
    from programme.forms import StaffAddForm
    from programme.views.rows import select_fields_html

    newcomer = factories.staff_user(username="newcomer", first_name="Nina", last_name="<Ko>")
    if data and data["employee"] == "newcomer":
        data["employee"] = str(newcomer.pk)
    form = StaffAddForm(data, programme=primed.programme)
    if data is not None:
        form.is_valid()

    assert parse_html(str(select_fields_html(form))) == parse_html(crispy_fields(form))
    assert "Nina &lt;Ko&gt;" in str(select_fields_html(form))


def test_add_form_with_the_services_refusal_is_crispys_markup(primed):
    from django.core.exceptions import ValidationError

    from programme.forms import StaffAddForm
    from programme.views.rows import select_fields_html
    from vipcrm.forms import add_service_errors

    form = StaffAddForm({"employee": "", "kind": "shared"}, programme=primed.programme)
    form.is_valid()
    add_service_errors(form, ValidationError("Not <now>"))

    ours = str(select_fields_html(form))
    assert parse_html(ours) == parse_html(crispy_fields(form))
    assert "<li>Not &lt;now&gt;</li>" in ours


def test_the_page_shows_the_add_forms_errors(primed, as_manager, employee):
    response = as_manager.post(
        reverse("programme:staff_add", args=[primed.programme.pk]),
        {"employee": employee.pk, "kind": "dedicated"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="select form-select is-invalid"' in body
    assert "Select a valid choice." in body


def test_closed_programme_and_management_have_no_add_form(primed, as_director):
    response = page(as_director, primed.programme)

    assert response.context["add_fields_html"] == ""
    assert 'data-testid="staff-add"' not in response.content.decode()


# Queries ----------------------------------------------------------------------------------------


def test_queries_are_the_same_at_one_member_and_many(
    world, as_manager, manager, django_assert_num_queries
):
    programme = factories.ProgrammeFactory(manager=manager)
    first = factories.StaffMemberFactory(programme=programme)
    factories.EnrolmentFactory(programme=programme, assignee=first.employee)
    page(as_manager, programme)  # the load in the cache
    with CaptureQueriesContext(connection) as queries:
        page(as_manager, programme)
    cached = len(queries)

    for _ in range(30):
        member = factories.StaffMemberFactory(programme=programme)
        factories.EnrolmentFactory(programme=programme, assignee=member.employee)

    with django_assert_num_queries(cached + 1):  # the first view after the writes
        response = page(as_manager, programme)
    with django_assert_num_queries(cached):
        response = page(as_manager, programme)
    assert str(response.context["rows_html"]).count('data-testid="staff-row"') == 31
    assert cached <= 14
