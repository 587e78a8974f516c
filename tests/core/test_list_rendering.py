"""What makes list pages cheap to render (vipcrm/filter_bar.py, row_urls.py, lists.py) gives the
same page as the slower way: crispy's markup for the filter bars, reverse()'s URLs for the rows,
get_FOO_display()'s labels."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from clients.enums import ClientStatus
from clients.filters import ClientFilter
from clients.models import Client
from feedback.filters_followups import CorrectiveActionFilter
from feedback.models import CorrectiveAction
from feedback.my_list import PersonalListFilter
from programme.enums import Stage
from programme.filters import EnrolmentFilter
from programme.forms import BulkAssignForm
from programme.models import Enrolment
from tests import factories
from vipcrm.lists import person_name, set_choice_labels


class _Markup(HTMLParser):
    """Tags with their attributes (classes as a set) and text, whitespace aside."""

    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        attrs = sorted(
            (name, " ".join(sorted(value.split())) if name == "class" and value else value)
            for name, value in attrs
        )
        self.items.append(("<", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.items.append((">", tag))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", " ".join(data.split())))


def markup(html):
    parser = _Markup()
    parser.feed(html)
    return parser.items


def render_fields(form, template_filter, library):
    template = engines["django"].from_string(
        f"{{% load {library} %}}{{% for field in form %}}{{{{ field|{template_filter} }}}}"
        "{% endfor %}"
    )
    return template.render({"form": form})


def assert_same_as_crispy(make_form):
    crispy = render_fields(make_form(), "as_crispy_field", "crispy_forms_tags")
    ours = render_fields(make_form(), "as_filter_field", "filter_bar")
    assert markup(ours) == markup(crispy)


@pytest.fixture
def request_of(db):
    def make(user):
        request = RequestFactory().get("/")
        request.user = user
        return request

    return make


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": "a <b> & 'c'", "tier": "A", "kind": "corporate"},
        {"segment": "999", "region": "x", "status": "nonsense"},
    ],
)
def test_the_client_filter_bar_is_crispys_markup(db, data):
    segment = factories.SegmentFactory(name="Metals & <Mining>")
    factories.RegionFactory(name="Volga")
    if data.get("segment") == "999":
        data = {**data, "region": str(segment.pk)}
    assert_same_as_crispy(lambda: ClientFilter(data, queryset=Client.objects.all()).form)


@pytest.mark.parametrize(
    "data", [{}, {"open_only": "true", "status": "open"}, {"owner": "nobody", "programme": "0"}]
)
def test_a_follow_up_filter_bar_is_crispys_markup(world, manager, request_of, data):
    # People labelled from their values (PersonChoiceField.label_from_values): one without a
    # name (the username), one with only a last name, one whose name needs escaping.
    factories.UserFactory(username="nameless", first_name="", last_name="")
    factories.UserFactory(username="olga", first_name="", last_name="Orlova")
    factories.UserFactory(username="amp", first_name="A & <B>", last_name="'C'")
    request = request_of(manager)
    assert_same_as_crispy(
        lambda: (
            CorrectiveActionFilter(
                data, queryset=CorrectiveAction.objects.all(), request=request
            ).form
        )
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"stage": "bogus", "overdue": "1", "ordering": "-stage"},
        # The ordering's CSVSelect, written as a select: no value, one outside the choices.
        {"ordering": ""},
        {"ordering": "<bogus>"},
    ],
)
def test_the_personal_list_filter_bar_is_crispys_markup(db, data):
    assert_same_as_crispy(lambda: PersonalListFilter(data, queryset=Enrolment.objects.all()).form)


def test_the_programme_bars_are_crispys_markup(world):
    programme = world.programme
    assert_same_as_crispy(
        lambda: (
            EnrolmentFilter(
                {"assignee": "null", "assessment": "none"},
                queryset=Enrolment.objects.all(),
                programme=programme,
            ).form
        )
    )

    def bound_with_errors():
        form = BulkAssignForm({"assignee": "0", "reason": ""}, programme=programme)
        form.is_valid()
        return form

    assert_same_as_crispy(lambda: BulkAssignForm(programme=programme))
    assert_same_as_crispy(bound_with_errors)


def test_a_filter_bar_select_marks_the_chosen_option_and_escapes_labels(db):
    factories.SegmentFactory(name="Metals & <Mining>")
    chosen = factories.SegmentFactory(name="Oil")
    form = ClientFilter({"segment": str(chosen.pk)}, queryset=Client.objects.all()).form
    html = render_fields(form, "as_filter_field", "filter_bar")
    assert f'<option value="{chosen.pk}" selected>Oil</option>' in html
    assert "Metals &amp; &lt;Mining&gt;" in html
    # the chosen segment, and the empty choice of the other four selects
    assert html.count(" selected>") == 5


def test_a_filter_bar_is_translated(db):
    form = ClientFilter({}, queryset=Client.objects.all()).form
    with translation.override("ru"):
        html = render_fields(form, "as_filter_field", "filter_bar")
    assert ">Сегмент</label>" in html.replace("\n", "")


# --- {% row_url %} -----------------------------------------------------------------------------


def render(source, **context):
    request = RequestFactory().get("/")
    return Template("{% load row_urls %}" + source).render(Context({"request": request, **context}))


def test_row_url_gives_reverses_url_for_one_and_for_two_ids():
    assert render("{% row_url 'clients:client_detail' 42 %}") == reverse(
        "clients:client_detail", args=[42]
    )
    assert render("{% row_url 'programme:enrolment_detail' 3 17 %}") == reverse(
        "programme:enrolment_detail", kwargs={"pk": 3, "enrolment_pk": 17}
    )


def test_row_url_reverses_once_per_request_and_url_name(monkeypatch):
    import vipcrm.row_urls as row_urls

    calls = []
    real = row_urls.reverse
    monkeypatch.setattr(row_urls, "reverse", lambda *a, **k: calls.append(a) or real(*a, **k))
    html = render(
        "{% for pk in ids %}{% row_url 'feedback:follow_up_done' pk as done %}{{ done }} "
        "{% endfor %}",
        ids=[1, 2, 3],
    )
    assert html.split() == [reverse("feedback:follow_up_done", args=[pk]) for pk in (1, 2, 3)]
    assert len(calls) == 1


def test_row_url_follows_the_language_of_the_page():
    with translation.override("ru"):
        assert render("{% row_url 'clients:client_detail' 5 %}") == reverse(
            "clients:client_detail", args=[5]
        )


def test_row_url_refuses_what_reverse_refuses():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load row_urls %}{% row_url 'clients:client_detail' %}")
    with pytest.raises(ValueError):
        render("{% row_url 'clients:client_detail' 'x' %}")


# --- choice labels -----------------------------------------------------------------------------


def test_choice_labels_are_get_display_labels_in_the_current_language(db):
    lost = factories.ClientFactory(status=ClientStatus.LOST, lost_on="2026-01-01")
    active = factories.ClientFactory()
    rows = set_choice_labels([lost, active], status=ClientStatus)
    assert [row.status_label for row in rows] == [
        lost.get_status_display(),
        active.get_status_display(),
    ]
    with translation.override("ru"):
        (row,) = set_choice_labels([lost], status=ClientStatus)
        assert row.status_label == lost.get_status_display() != "Lost"


def test_a_value_outside_the_choices_is_shown_as_it_is(db):
    enrolment = Enrolment(stage="something-else")
    (row,) = set_choice_labels([enrolment], stage=Stage)
    assert row.stage_label == "something-else"


def test_work_items_are_visible_each_way_and_counted_once(world, employee, manager):
    """Work items' visibility is a union of id sets: owned, on a client of the user's list, on
    a client of a programme they run, in a programme they run."""
    other = get_user_model().objects.create(username="someone-else")
    make = factories.CorrectiveActionFactory
    owned = make(owner=manager)
    on_their_programmes_client = make(client=world.colleague_client, owner=other)
    in_their_programme = make(owner=other, programme=world.programme)
    on_the_employees_client = make(client=world.client, owner=other)
    owned_by_the_employee = make(owner=employee, client=world.colleague_client)
    unseen = make(owner=other)

    seen_by_manager = list(CorrectiveAction.objects.visible_to(manager))
    assert set(seen_by_manager) == {
        owned,
        on_their_programmes_client,
        in_their_programme,
        on_the_employees_client,
        owned_by_the_employee,
    }
    assert len(seen_by_manager) == CorrectiveAction.objects.visible_to(manager).count() == 5
    assert set(CorrectiveAction.objects.visible_to(employee)) == {
        on_the_employees_client,
        owned_by_the_employee,
    }
    assert unseen not in CorrectiveAction.objects.visible_to(employee)


@pytest.mark.parametrize(
    ("first", "last", "username", "name"),
    [
        ("Anna", "Petrova", "anna", "Anna Petrova"),
        ("Anna", "", "anna", "Anna"),
        ("", "", "anna", "anna"),
        (None, None, "anna", "anna"),
    ],
)
def test_a_person_is_named_from_values_as_from_a_user(db, first, last, username, name):
    user = factories.UserFactory(username=username, first_name=first or "", last_name=last or "")
    assert person_name(first, last, username) == name
    assert (user.get_full_name() or user.get_username()) == name


def test_shared_choices_are_written_once_and_the_chosen_one_marked(world, colleague):
    """``share_choices``: the pool's options, written once for the assignee filter and the
    bulk-assign bar, are the options each select would write; only the filter's chosen person
    is marked, in the filter."""
    from vipcrm.filter_bar import as_filter_field, share_choices

    programme = world.programme
    pool = [(world.enrolment.assignee_id, "Eva & <E>"), (colleague.pk, "Olga")]
    filterset = EnrolmentFilter(
        {"assignee": str(colleague.pk)}, queryset=Enrolment.objects.all(), programme=programme
    )
    bulk = BulkAssignForm(programme=programme)
    share_choices(pool, filterset.form.fields["assignee"], bulk.fields["assignee"])

    chosen = as_filter_field(filterset.form["assignee"])
    bar = as_filter_field(bulk["assignee"])
    first = world.enrolment.assignee_id
    assert f'<option value="{first}">Eva &amp; &lt;E&gt;</option>' in chosen
    assert f'<option value="{colleague.pk}" selected>Olga</option>' in chosen
    assert chosen.count(" selected>") == 1
    assert '<option value="null">Unassigned</option>' in chosen
    assert f'<option value="{colleague.pk}">Olga</option>' in bar
    assert bar.count(" selected>") == 1  # the empty choice
    assert '<option value="" selected>' in bar


def test_read_options_are_written_once_and_the_chosen_one_marked(world, manager, request_of):
    """The options a filter reads elsewhere (everyone active, from the cache) are written once
    per process: a second bar reuses the tags, marks only its chosen person, and is still
    crispy's markup."""
    from vipcrm.filter_bar import _option_tags, as_filter_field

    amp = factories.UserFactory(username="amp", first_name="A & <B>", last_name="'C'")
    request = request_of(manager)

    def bar(data):
        return CorrectiveActionFilter(
            data, queryset=CorrectiveAction.objects.all(), request=request
        ).form

    as_filter_field(bar({})["owner"])
    hits = _option_tags.cache_info().hits
    chosen = as_filter_field(bar({"owner": str(amp.pk)})["owner"])
    assert _option_tags.cache_info().hits == hits + 1
    assert f'<option value="{amp.pk}" selected>A &amp; &lt;B&gt; &#x27;C&#x27;</option>' in chosen
    assert chosen.count(" selected>") == 1
    assert '<option value="">---------</option>' in chosen
    assert_same_as_crispy(lambda: bar({"owner": str(amp.pk), "programme": str(world.programme.pk)}))
