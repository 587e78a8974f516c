from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from programme.enums import Stage
from vipcrm.lists import set_choice_labels

from ..my_list import PersonalListFilter, personal_list, with_marks

# A modest page: each row is a card with its marks and actions, and rendering them is most of
# the page's cost (the queries read the page's rows only).
PAGE_SIZE = 25


@login_required
def my_list(request):
    filterset = PersonalListFilter(request.GET, queryset=personal_list(request.user))
    rows = filterset.qs
    if not request.GET.get("ordering"):
        rows = rows.order_by("client_sort", "client__name", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = set_choice_labels(list(with_marks(page.object_list)), stage=Stage)
    return render(
        request,
        "feedback/my_list.html",
        {"filter": filterset, "page_obj": page, "stages": Stage.choices},
    )
