from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import ngettext

from programme.enums import Stage
from vipcrm.lists import set_choice_labels

from ..my_list import PersonalListFilter, needs_figures, personal_list, personal_rows, with_marks
from ..rows import my_list_rows

# A modest page: each row is a card with its marks and actions, and rendering them is most of
# the page's cost (the queries read the page's rows only).
PAGE_SIZE = 25


@login_required
def my_list(request):
    filterset = PersonalListFilter(
        request.GET,
        queryset=personal_list(request.user, figures=needs_figures(request.GET)),
    )
    rows = filterset.qs
    if not request.GET.get("ordering"):
        rows = rows.order_by("client_sort", "client__name", "id")
    # The ids of the whole filtered, sorted list in one read (the person's few hundred, sorted
    # by PostgreSQL; the per-row figures only where a filter or the order needs them): the
    # paginator counts them without a COUNT query, and the page's rows and their figures are
    # read for the page's ids only.
    ids = list(rows.values_list("pk", flat=True))
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = set_choice_labels(
        list(with_marks(personal_rows(page.object_list))), stage=Stage
    )
    for row in page.object_list:
        # The overdue badges' words (the template's former blocktranslate, same messages),
        # translated in the view: only for rows that have them.
        if row.overdue_follow_ups:
            row.overdue_follow_ups_text = ngettext(
                "%(n)s follow-up overdue", "%(n)s follow-ups overdue", row.overdue_follow_ups
            ) % {"n": row.overdue_follow_ups}
        if row.overdue_actions:
            row.overdue_actions_text = ngettext(
                "%(n)s corrective action past due",
                "%(n)s corrective actions past due",
                row.overdue_actions,
            ) % {"n": row.overdue_actions}
    return render(
        request,
        "feedback/my_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "stages": Stage.choices,
            "rows": my_list_rows(request, page.object_list),
        },
    )
