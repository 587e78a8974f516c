"""The feedback app's API: visits and reports (visits.py), follow-ups and notifications
(followups.py)."""

from . import followups, visits

urlpatterns = visits.urlpatterns + followups.urlpatterns
