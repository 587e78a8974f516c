"""Who may open the dashboards: management reads all, a programme manager reads their own
programmes (``other_manager`` too: theirs is empty in ``world``), employees get 404 — the same
answer as for any object they may not see — on pages, exports and the API alike.

Another manager's programme id in the ``programme`` filter answers 404: that needs the world's
ids in the query string, so it is tested in ``test_pages.py::test_*_other_managers_programme``.
The pages are read-only for everyone: they answer only GET and HEAD (a POST gets 405 from
anyone logged in), and management's POST to the API gets 403 like every API write.
"""

from tests.url_cases import UrlCase, api, page

NAMES = ("progress", "retention", "quality", "growth", "referrals", "at-risk")
# One table of each dashboard, exported in both formats.
EXPORTED = {
    "progress": "stages",
    "retention": "retention",
    "quality": "months",
    "growth": "kinds",
    "referrals": "funnel",
    "at-risk": "clients",
}
READERS = dict(employee=404, colleague=404)


def _kwargs(**values):
    return lambda world: values


CASES = {
    "dashboards:index": UrlCase(page(**READERS)),
    "dashboards:dashboard": [UrlCase(page(**READERS), kwargs=_kwargs(name=name)) for name in NAMES]
    + [
        UrlCase(
            page(**READERS, manager=404, other_manager=404, director=404),
            kwargs=_kwargs(name="no-such"),
        ),
        UrlCase(
            page(employee=405, colleague=405, manager=405, other_manager=405, director=405),
            kwargs=_kwargs(name="quality"),
            method="post",
        ),
    ],
    "dashboards:export": [
        UrlCase(
            page(**READERS),
            kwargs=_kwargs(name=name, table=table, file_format=file_format),
        )
        for name, table in EXPORTED.items()
        for file_format in ("csv", "xlsx")
    ]
    + [
        UrlCase(
            page(**READERS, manager=404, other_manager=404, director=404),
            kwargs=_kwargs(name="quality", table="no-such", file_format="csv"),
        ),
        UrlCase(
            page(**READERS, manager=404, other_manager=404, director=404),
            kwargs=_kwargs(name="quality", table="months", file_format="pdf"),
        ),
    ],
    "api-dashboard": [UrlCase(api(**READERS), kwargs=_kwargs(name=name)) for name in NAMES]
    + [
        UrlCase(
            api(**READERS, manager=404, other_manager=404, director=404),
            kwargs=_kwargs(name="no-such"),
        ),
        UrlCase(
            api(**READERS, manager=400, other_manager=400, director=400),
            kwargs=_kwargs(name="quality"),
            query="?start=not-a-month",
        ),
        UrlCase(
            api(employee=405, colleague=405, manager=405, other_manager=405, director=403),
            kwargs=_kwargs(name="quality"),
            method="post",
            content_type="application/json",
        ),
    ],
}
