from django.urls import path

from .views import client_list, programmes, split, staff

app_name = "programme"

urlpatterns = [
    path("", programmes.programme_list, name="programme_list"),
    path("new/", programmes.programme_create, name="programme_create"),
    path("<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    path("<int:pk>/activate/", programmes.programme_activate, name="programme_activate"),
    path("<int:pk>/close/", programmes.programme_close, name="programme_close"),
    path("<int:pk>/next-run/", programmes.programme_next_run, name="programme_next_run"),
    path("<int:pk>/progress/", programmes.progress, name="progress"),
    path("<int:pk>/clients/", client_list.enrolment_list, name="enrolment_list"),
    path(
        "<int:pk>/clients/bulk-assign/",
        client_list.enrolment_bulk_assign,
        name="enrolment_bulk_assign",
    ),
    path(
        "<int:pk>/clients/add-corporate/",
        client_list.enrolment_add_corporate,
        name="enrolment_add_corporate",
    ),
    path(
        "<int:pk>/clients/add-private/",
        client_list.enrolment_add_private,
        name="enrolment_add_private",
    ),
    path(
        "<int:pk>/clients/<int:enrolment_pk>/",
        client_list.enrolment_detail,
        name="enrolment_detail",
    ),
    path(
        "<int:pk>/clients/<int:enrolment_pk>/assess/",
        client_list.enrolment_assess,
        name="enrolment_assess",
    ),
    path(
        "<int:pk>/clients/<int:enrolment_pk>/assign/",
        client_list.enrolment_assign,
        name="enrolment_assign",
    ),
    path(
        "<int:pk>/clients/<int:enrolment_pk>/remove/",
        client_list.enrolment_remove,
        name="enrolment_remove",
    ),
    path("<int:pk>/staff/", staff.staff_list, name="staff_list"),
    path("<int:pk>/staff/add/", staff.staff_add, name="staff_add"),
    path("<int:pk>/staff/<int:member_pk>/kind/", staff.staff_kind, name="staff_kind"),
    path("<int:pk>/staff/<int:member_pk>/remove/", staff.staff_remove, name="staff_remove"),
    path("<int:pk>/split/", split.split_detail, name="split_detail"),
    path("<int:pk>/split/start/", split.split_start, name="split_start"),
    path("<int:pk>/split/<int:job_pk>/change/", split.split_change, name="split_change"),
    path("<int:pk>/split/<int:job_pk>/apply/", split.split_apply, name="split_apply"),
    path("<int:pk>/jobs/<int:job_pk>/", split.job_detail, name="job_detail"),
]
