from . import urls_followups, urls_visits

app_name = "feedback"

# Visits, reports, My list and the calendar feed (urls_visits); My work, corrective actions,
# opportunities, referrals and notifications (urls_followups).
urlpatterns = urls_visits.urlpatterns + urls_followups.urlpatterns
