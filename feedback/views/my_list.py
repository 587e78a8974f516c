from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import ngettext

from programme.enums import Stage
from vipcrm.lists import set_choice_labels

from ..my_list import PersonalListFilter, needs_figures, personal_list, personal_page, with_marks
from ..rows import my_list_rows

# A modest page: each row is a card with its marks and actions, and rendering them is most of
# the page's cost (the queries read the page's rows only).
PAGE_SIZE = 25


@login_required
def my_list(request):
    figures = needs_figures(request.GET)
    filterset = PersonalListFilter(
        request.GET, queryset=personal_list(request.user, figures=figures)
    )
    rows = filterset.qs
    if not request.GET.get("ordering"):
        rows = rows.order_by("client_sort", "client__name", "id")
    # The page's rows with their figures and the list's count in one query (the per-row
    # figures of the whole list only where a filter or the order needs them).
    page = personal_page(rows, request.GET.get("page"), PAGE_SIZE, figures=figures)
    page.object_list = set_choice_labels(list(with_marks(page.object_list)), stage=Stage)
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
