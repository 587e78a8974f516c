"""The client's audit history: read-only, visible exactly to whoever may see the client."""

from tests.url_cases import UrlCase, page

CASES = {
    "clients:client_history": [
        UrlCase(page(colleague=404), kwargs=lambda world: {"pk": world.client.pk}),
        # Read-only for everyone: a write is refused (405) before anything is looked up.
        UrlCase(
            page(employee=405, colleague=405, manager=405, other_manager=405, director=405),
            kwargs=lambda world: {"pk": world.client.pk},
            method="post",
        ),
    ],
}
