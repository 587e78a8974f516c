"""The list pages' filter bars in the browser (rendered by vipcrm/filter_bar.py, not crispy):
each control is reached by its label, keeps its choice after filtering, narrows the rows, and a
choice that is not there is shown as an error next to its field — in English and in Russian."""

from playwright.sync_api import expect

from clients.models import Segment

from .conftest import log_in


def cells(page, table_test_id, column):
    rows = page.get_by_test_id(table_test_id).locator("tbody tr")
    return [rows.nth(i).locator("td").nth(column).inner_text() for i in range(rows.count())]


def test_manager_filters_the_client_list_by_segment_and_tier(page, demo):
    log_in(page, "manager")
    page.goto("/clients/")
    segment = Segment.objects.filter(clients__isnull=False).order_by("name").first()

    page.get_by_label("Segment").select_option(label=segment.name)
    page.get_by_label("Importance tier").select_option("A")
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_label("Segment")).to_have_value(str(segment.pk))
    expect(page.get_by_label("Importance tier")).to_have_value("A")
    # Segment is the third column, the tier the fifth.
    segments, tiers = cells(page, "client-table", 2), cells(page, "client-table", 4)
    assert segments and set(segments) == {segment.name}
    assert set(tiers) == {"A"}

    page.get_by_label("Search").fill("no client is called this")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("No client matches these filters")
    expect(page.get_by_label("Search")).to_have_value("no client is called this")


def test_a_choice_that_is_not_there_is_an_error_at_its_field_in_russian(page, demo):
    log_in(page, "manager")
    page.context.add_cookies(
        [{"name": "django_language", "value": "ru", "url": page.url.split("/accounts")[0]}]
    )
    page.goto("/clients/?segment=999999")
    field = page.get_by_label("Сегмент")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_class("select form-select is-invalid")
    error = page.locator("#id_segment_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Выберите корректный вариант")


def test_employee_narrows_corrective_actions_to_the_open_ones(page, demo):
    log_in(page, "employee")
    page.goto("/corrective-actions/")
    page.get_by_label("Not closed yet").select_option("true")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Not closed yet")).to_have_value("true")
    table = page.get_by_test_id("corrective-action-table")
    if table.count():
        assert "Client informed" not in cells(page, "corrective-action-table", 4)
    else:
        expect(page.get_by_test_id("empty-state")).to_be_visible()
