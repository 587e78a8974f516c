"""The pages the benchmark measures: a registry that each screen's branch extends.

A page is a name, who opens it, what kind of page it is (its target depends on the kind) and a
function giving its URL from a :class:`Context` (the data set's interesting ids). A page whose
URL does not resolve yet (its screen is not merged) is reported as *not available*, never
skipped silently and never faked.

To add a page, in this module or from anywhere imported before the run::

    register(Page("my_list", "employee", LIST, lambda ctx: reverse("feedback:my_list")))

Names of dashboards begin with ``dashboard`` (their target is 8× the bare page, not 3×). A
management dashboard shows a snapshot built in the background: before it is timed, its snapshot
is built through the real service (``build_dashboard_snapshot``), and that build's seconds are
reported beside the page's time. A dashboard computed live (``snapshot=False``: a programme's
progress) is timed as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.urls import NoReverseMatch, reverse

BARE, LIST, DETAIL, DASHBOARD, API = "bare", "list", "detail", "dashboard", "api"
KINDS = (BARE, LIST, DETAIL, DASHBOARD, API)


class Unavailable(Exception):
    """The page's screen does not exist (yet) in this code base."""


@dataclass(frozen=True)
class Page:
    name: str
    user: str  # username of the person who opens it
    kind: str
    url: Callable[[Context], str]
    # Part of the mix the HTTP run drives (an employee's everyday pages).
    in_http_mix: bool = False
    # The client list's last page is compared with its first page.
    compare_with: str | None = None
    # A dashboard served from a snapshot (built before it is timed); False for one computed live.
    snapshot: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown page kind {self.kind!r}")
        if self.kind == DASHBOARD and not self.name.startswith("dashboard"):
            raise ValueError("a dashboard's name begins with 'dashboard'")

    def resolve(self, context: Context) -> str:
        """The URL, or Unavailable when its screen is not there."""
        try:
            return self.url(context)
        except NoReverseMatch as error:
            raise Unavailable(str(error)) from error


class Context:
    """Ids and values of the data set that pages need, looked up once per run."""

    @cached_property
    def users(self) -> dict:
        from django.contrib.auth import get_user_model

        names = {page.user for page in PAGES}
        return {u.username: u for u in get_user_model().objects.filter(username__in=names)}

    @cached_property
    def employee(self):
        return self.users["employee"]

    @cached_property
    def card_client_id(self) -> int:
        """The employee's client with the most visits (50 in the data set)."""
        from django.db.models import Count

        from feedback.models import Visit

        row = (
            Visit.objects.filter(employee=self.employee)
            .values("client_id")
            .annotate(n=Count("id"))
            .order_by("-n", "client_id")
            .first()
        )
        if row is None:
            raise Unavailable("the employee has no visits in this data set")
        return row["client_id"]

    @cached_property
    def segment_id(self) -> int:
        from clients.models import Segment

        return Segment.objects.order_by("id").values_list("id", flat=True).first()

    @cached_property
    def programme_id(self) -> int | None:
        """The data set's programme (the first one): its manager's pages are measured."""
        from programme.models import Programme

        return Programme.objects.order_by("id").values_list("id", flat=True).first()

    search_term = "steel 12"


def _url(name, *args, query=""):
    return reverse(name, args=args) + (f"?{query}" if query else "")


PAGES: list[Page] = []


def register(page: Page) -> Page:
    if any(p.name == page.name for p in PAGES):
        raise ValueError(f"a page named {page.name!r} is registered already")
    PAGES.append(page)
    return page


def page(name: str) -> Page:
    return next(p for p in PAGES if p.name == name)


# The yardstick: the base layout and nothing else.
register(Page("bare", "employee", BARE, lambda ctx: _url("bare")))

# The client base, as a programme manager sees it (all clients: the hardest case).
register(Page("client_list", "manager", LIST, lambda ctx: _url("clients:client_list")))
register(
    Page(
        "client_list_filtered",
        "manager",
        LIST,
        lambda ctx: _url("clients:client_list", query=f"segment={ctx.segment_id}&tier=A"),
    )
)
register(
    Page(
        "client_list_search",
        "manager",
        LIST,
        lambda ctx: _url("clients:client_list", query=f"q={ctx.search_term.replace(' ', '+')}"),
    )
)
register(
    Page(
        "client_list_last",
        "manager",
        LIST,
        lambda ctx: _url("clients:client_list", query="page=last"),
        compare_with="client_list",
    )
)
# The employee's own view of the client base: their personal lists only.
register(
    Page(
        "client_list_employee",
        "employee",
        LIST,
        lambda ctx: _url("clients:client_list"),
        in_http_mix=True,
    )
)
register(
    Page(
        "client_card",
        "employee",
        DETAIL,
        lambda ctx: _url("clients:client_detail", ctx.card_client_id),
        in_http_mix=True,
    )
)

# The main API list endpoints.
register(Page("api_clients", "manager", API, lambda ctx: _url("api-client-list")))
register(Page("api_clients_employee", "employee", API, lambda ctx: _url("api-client-list")))
register(Page("api_contacts", "manager", API, lambda ctx: _url("api-contact-list")))

# Hooks for the screens other branches are building; each is "not available" until its URL
# exists. Adjust the URL names here when those branches land.
_PENDING = [
    # (name, user, kind, url name, in the employee mix)
    ("my_list", "employee", LIST, "feedback:my_list", True),
    ("my_work", "employee", LIST, "feedback:work", True),
    ("notifications", "employee", LIST, "feedback:notification_list", True),
    ("corrective_actions", "employee", LIST, "feedback:corrective_action_list", False),
    ("opportunities", "employee", LIST, "feedback:opportunity_list", False),
    ("referrals", "employee", LIST, "feedback:referral_list", False),
    ("programme_clients", "manager", LIST, "programme:enrolment_list", False),
    # The staff pool with each person's load, and the automatic split's proposal: the split
    # is computed before the page is timed (bench.measure, rolled back afterwards).
    ("staff_pool", "manager", LIST, "programme:staff_list", False),
    ("split_proposal", "manager", LIST, "programme:split_detail", False),
    # The programme's own progress (coverage, pace, forecast, a row per employee of the pool) is
    # registered below as a dashboard: every figure on it aggregates the whole list.
]
PROGRAMME_URLS = {
    "programme:enrolment_list",
    "programme:staff_list",
    "programme:split_detail",
    "programme:progress",
}


def _pending_url(url_name):
    def url(ctx):
        if url_name in PROGRAMME_URLS:
            return reverse(url_name, args=[ctx.programme_id])
        return reverse(url_name)

    return url


for _name, _user, _kind, _url_name, _mix in _PENDING:
    register(Page(_name, _user, _kind, _pending_url(_url_name), in_http_mix=_mix))


# The programme's progress page: figures aggregated over its whole list (coverage, booked,
# pace and forecast, and per employee assigned, booked, visited, remaining and pace), computed
# live when the page is opened — a dashboard by what it shows (8×), not served from a snapshot
# (its figures move with every visit the pool reports). The management dashboard "progress",
# across programmes, is dashboard_progress.
register(
    Page(
        "dashboard_programme_progress",
        "manager",
        DASHBOARD,
        _pending_url("programme:progress"),
        snapshot=False,
    )
)


def _programme_list_url(query):
    def url(ctx):
        return _pending_url("programme:enrolment_list")(ctx) + f"?{query}"

    return url


# The programme's client list as its manager pages through it: a filter, a text search and the
# last page (compared with the first: keyset pages, no OFFSET).
register(
    Page(
        "programme_clients_filtered",
        "manager",
        LIST,
        _programme_list_url("tier=A&stage=visited"),
    )
)
register(
    Page(
        "programme_clients_search",
        "manager",
        LIST,
        lambda ctx: _programme_list_url(f"q={ctx.search_term.replace(' ', '+')}")(ctx),
    )
)
register(
    Page(
        "programme_clients_last",
        "manager",
        LIST,
        _programme_list_url("page=last"),
        compare_with="programme_clients",
    )
)


def build_dashboard_snapshot(url: str, user) -> float:
    """Builds (or rebuilds) the snapshot the dashboard page at ``url`` shows ``user``, as a
    worker would; returns the build's seconds."""
    import time

    from django.conf import settings
    from django.http import QueryDict
    from django.urls import resolve

    from programme.dashboards.filters import dashboard_filter
    from programme.dashboards.selectors import DASHBOARDS
    from programme.dashboards.snapshots import snapshot_build, snapshot_for

    path, _, query = url.partition("?")
    spec = DASHBOARDS[resolve(path).kwargs["name"]]
    scope = dashboard_filter(user, QueryDict(query)).scope
    # The benchmark's client sends no Accept-Language: its pages are in the default language.
    snapshot = snapshot_for(spec, scope, user, settings.LANGUAGE_CODE)
    started = time.perf_counter()
    snapshot = snapshot_build(snapshot.pk, force=True)
    seconds = time.perf_counter() - started
    if snapshot.status != snapshot.Status.READY:
        raise RuntimeError(f"the snapshot of {url} failed: {snapshot.error}")
    return round(seconds, 2)


def _dashboard_url(name):
    return lambda ctx: reverse("dashboards:dashboard", args=[name])


# Every management dashboard (progress and the at-risk list among them), read by the director.
try:
    from programme.dashboards.selectors import DASHBOARDS
except ImportError:  # pragma: no cover - before the dashboards existed
    DASHBOARDS = {}
for _slug in DASHBOARDS:
    register(
        Page(f"dashboard_{_slug.replace('-', '_')}", "director", DASHBOARD, _dashboard_url(_slug))
    )
