"""The snapshot status URL a dashboard's progress panel polls: the same readers as the
dashboard itself. An employee gets 404; another manager's programme in the filter answers 404
(the world's programme is ``manager``'s); management and the managers read it; GET only."""

from tests.url_cases import UrlCase, page

from .url_cases_issue6 import NAMES, READERS


def _kwargs(**values):
    return lambda world: values


CASES = {
    "dashboards:status": [UrlCase(page(**READERS), kwargs=_kwargs(name=name)) for name in NAMES]
    + [
        UrlCase(
            page(**READERS, other_manager=404),
            kwargs=_kwargs(name="progress"),
            data=lambda world: {"programme": world.programme.pk},
        ),
        UrlCase(
            page(**READERS, manager=404, other_manager=404, director=404),
            kwargs=_kwargs(name="no-such"),
        ),
        UrlCase(
            page(employee=405, colleague=405, manager=405, other_manager=405, director=405),
            kwargs=_kwargs(name="at-risk"),
            method="post",
        ),
    ],
}
