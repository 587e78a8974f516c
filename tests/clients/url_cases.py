from tests.url_cases import UrlCase, api, page

CASES = {
    "clients:client_list": UrlCase(page()),
    # The employee's own client; a colleague may not see it, managers and management may.
    "clients:client_detail": UrlCase(
        page(colleague=404), kwargs=lambda world: {"pk": world.client.pk}
    ),
    "api-client-list": UrlCase(api()),
    "api-client-detail": UrlCase(api(colleague=404), kwargs=lambda world: {"pk": world.client.pk}),
    # api-contact-list and api-contact-detail: with their writes in url_cases_issue4.py
}
