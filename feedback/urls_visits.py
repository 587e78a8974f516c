from django.urls import path

from .views import calendar, my_list, reports, visits

urlpatterns = [
    path("my/list/", my_list.my_list, name="my_list"),
    path("visits/book/<int:enrolment_pk>/", visits.visit_book, name="visit_book"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/reschedule/", visits.visit_reschedule, name="visit_reschedule"),
    path("visits/<int:pk>/cancel/", visits.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/report/", reports.report_edit, name="report_edit"),
    path("calendar/", calendar.calendar_feed, name="calendar_feed"),
    path("calendar/<str:token>.ics", calendar.calendar_ics, name="calendar_ics"),
]
