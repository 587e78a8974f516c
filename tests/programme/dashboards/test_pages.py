"""The dashboard pages and the API: the same figures, the filters, who may read what."""

import re

import pytest
from django.urls import reverse

from programme.dashboards.selectors import DASHBOARDS
from tests import factories

from .url_cases_issue6 import EXPORTED

PERIOD = {"start": "2026-04", "end": "2026-06"}
NAMES = list(DASHBOARDS)
DASHBOARD_TABLES = EXPORTED


def page_url(name):
    return reverse("dashboards:dashboard", args=[name])


def api_url(name):
    return reverse("api-dashboard", args=[name])


def shown_figures(html):
    return dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))


def test_referrals_page_shows_the_figures(company, as_director):
    response = as_director.get(page_url("referrals"), PERIOD)
    html = response.content.decode()
    assert shown_figures(html) == {
        "received": "6",
        "converted": "1",
        "conversion": "16.7 %",
        "dropped": "1",
        "new_volume": "80.00",
    }
    assert "Top referring clients" in html
    assert f'href="/clients/{company.alfa.pk}/">Alfa</a>' in html
    # The definitions of the figures are on the page.
    assert "Referrals that became a client, against referrals received." in html


def test_growth_page_shows_money_with_thousands(company, as_director):
    html = as_director.get(page_url("growth"), PERIOD).content.decode()
    assert shown_figures(html)["open_value"] == "6,000.00"
    assert shown_figures(html)["win_rate"] == "50.0 %"


@pytest.mark.parametrize("name", NAMES)
def test_api_equals_the_page(company, as_director, name):
    page = as_director.get(page_url(name), PERIOD)
    api = as_director.get(api_url(name), PERIOD)
    assert api.status_code == 200
    data = api.json()
    assert data["filters"] == {"start": "2026-04", "end": "2026-06"}
    del data["filters"]
    assert data == page.context["board"].as_json()
    # And the page's figures are the API's, as shown.
    shown = shown_figures(page.content.decode())
    assert set(shown) == set(data["figures"])
    for key, value in data["figures"].items():
        if isinstance(value, int):
            assert shown[key].replace(",", "") == str(value)


def test_api_referrals_figures(company, as_director):
    data = as_director.get(api_url("referrals"), PERIOD).json()
    assert data["figures"] == {
        "received": 6,
        "converted": 1,
        "conversion": 16.7,
        "dropped": 1,
        "new_volume": 80.0,
    }
    assert data["tables"]["new_clients"][0]["client"] == "Epsilon"
    assert data["tables"]["new_clients"][0]["converted_on"] == "2026-05-01"


def test_manager_reads_their_programme_only(company, as_manager, manager):
    response = as_manager.get(page_url("progress"), {"programme": company.programme.pk})
    assert response.status_code == 200
    choices = response.context["filter"].form.fields["programme"].queryset
    assert list(choices) == [company.programme]
    assert "Other run" not in response.content.decode()
    employees = response.context["filter"].form.fields["employee"].queryset
    assert sorted(u.username for u in employees) == ["colleague", "employee"]


@pytest.mark.parametrize("name", NAMES)
def test_page_export_and_api_answer_404_for_other_managers_programme(company, as_manager, name):
    other = {"programme": company.other_programme.pk}
    assert as_manager.get(page_url(name), other).status_code == 404
    assert as_manager.get(api_url(name), other).status_code == 404
    export = reverse("dashboards:export", args=[name, DASHBOARD_TABLES[name], "csv"])
    assert as_manager.get(export, other).status_code == 404
    assert as_manager.get(export).status_code == 200


def test_programme_filter_that_is_no_number_answers_404(company, as_director):
    assert as_director.get(page_url("quality"), {"programme": "abc"}).status_code == 404
    assert as_director.get(page_url("quality"), {"programme": "999999"}).status_code == 404


def test_director_may_filter_by_any_programme(company, as_director):
    response = as_director.get(page_url("progress"), {"programme": company.other_programme.pk})
    assert response.status_code == 200
    assert shown_figures(response.content.decode())["listed"] == "1"


def test_filter_changes_the_figures(company, as_director, colleague):
    everyone = as_director.get(page_url("referrals"), PERIOD)
    theirs = as_director.get(page_url("referrals"), {**PERIOD, "employee": colleague.pk})
    # The colleague's personal list is Beta and Delta: Beta's two referrals.
    assert shown_figures(everyone.content.decode())["received"] == "6"
    assert shown_figures(theirs.content.decode())["received"] == "2"


def test_bad_month_is_shown_and_ignored(company, as_director):
    response = as_director.get(page_url("quality"), {"start": "not-a-month"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    scope = response.context["scope"]
    assert (scope.end.month - scope.start.month) % 12 == 11  # the default twelve months


def test_api_rejects_a_bad_month_with_the_reason(company, as_director):
    response = as_director.get(api_url("quality"), {"end": "2026-13"})
    assert response.status_code == 400
    assert response.json() == {"end": ["Enter a valid date."]}


def test_empty_dashboards_say_what_to_do(as_director, db):
    html = as_director.get(page_url("retention")).content.decode()
    assert "No volumes recorded for these months: enter them on the client card" in html
    html = as_director.get(page_url("progress")).content.decode()
    assert "compose a programme&#x27;s list first" in html


def test_charts_are_fed_from_a_json_block_without_inline_script(company, as_director):
    response = as_director.get(page_url("quality"), PERIOD)
    html = response.content.decode()
    assert '<script id="dashboard-charts" type="application/json">' in html
    assert 'id="chart-months"' in html
    assert "chart.umd.min.js" in html
    assert re.findall(r"<script>", html) == []
    charts = {chart["id"]: chart for chart in response.context["charts"]}
    assert charts["chart-months"]["labels"] == ["2026-04", "2026-05", "2026-06"]
    assert charts["chart-months"]["datasets"][0] == {"label": "Goods", "data": [2.0, 4.0, 5.0]}


def test_nav_and_home_link_the_dashboards_for_management_and_managers(
    as_director, as_manager, as_employee
):
    index = reverse("dashboards:index")
    assert f'href="{index}"' in as_director.get("/").content.decode()
    assert f'href="{index}"' in as_manager.get("/").content.decode()
    assert f'href="{index}"' not in as_employee.get("/").content.decode()
    html = as_director.get(index).content.decode()
    for spec in DASHBOARDS.values():
        assert reverse("dashboards:dashboard", args=[spec.name]) in html


def test_someone_with_two_roles_reads_as_a_manager(company, employee, logged_in):
    from django.contrib.auth.models import Group

    from vipcrm import roles

    boss = factories.staff_user(username="boss")
    boss.groups.add(Group.objects.get(name=roles.PROGRAMME_MANAGERS))
    response = logged_in(boss).get(page_url("progress"))
    assert response.status_code == 200
    assert shown_figures(response.content.decode())["listed"] == "0"


def test_month_fields_show_the_period_in_force(company, as_director):
    from django.utils import timezone

    html = as_director.get(page_url("growth")).content.decode()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert f'type="month" name="end" value="{this_month}"' in html
    html = as_director.get(page_url("growth"), PERIOD).content.decode()
    assert 'type="month" name="start" value="2026-04"' in html


def test_scores_are_shown_with_their_own_decimals(company, as_director):
    html = as_director.get(page_url("quality"), PERIOD).content.decode()
    assert shown_figures(html)["goods"] == "3.67"
    assert shown_figures(html)["nps"] == "33.3"
    assert shown_figures(html)["median_days"] == "7.5 d"


def test_dashboards_speak_russian(company, as_director, settings):
    as_director.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = as_director.get(page_url("retention"), PERIOD).content.decode()
    assert '<h1 class="h3">Удержание</h1>' in html
    assert "Удержание клиентов за месяц M" in html
    assert "Как считаются эти показатели" in html
    rows = as_director.get(page_url("at-risk")).context["board"].table("clients").rows
    assert re.search("[а-яё]", rows[0]["reasons"]) and not re.search("[a-z]", rows[0]["reasons"])


def test_quality_page_lists_the_first_open_actions_and_counts_them_all(
    company, as_director, monkeypatch
):
    import importlib

    monkeypatch.setattr(
        importlib.import_module("programme.dashboards.selectors.quality"), "PAGE_ROWS", 1
    )
    board = as_director.get(page_url("quality"), PERIOD).context["board"]
    assert [row["client"] for row in board.table("actions").rows] == ["Beta"]
    assert board.figure("open_actions") == 2
    assert "The 1 due first" in str(board.table("actions").note)
    export = reverse("dashboards:export", args=["quality", "actions", "csv"])
    body = as_director.get(export, PERIOD).content.decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 1 + 2
