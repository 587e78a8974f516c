from django.urls import path

from .views import corrective_actions, notifications, opportunities, referrals, work

urlpatterns = [
    path("work/", work.my_work, name="work"),
    path("follow-ups/<int:pk>/", work.follow_up_detail, name="follow_up_detail"),
    path("follow-ups/<int:pk>/done/", work.follow_up_done, name="follow_up_done"),
    path("follow-ups/<int:pk>/reschedule/", work.follow_up_reschedule, name="follow_up_reschedule"),
    path(
        "corrective-actions/",
        corrective_actions.corrective_action_list,
        name="corrective_action_list",
    ),
    path(
        "corrective-actions/<int:pk>/",
        corrective_actions.corrective_action_detail,
        name="corrective_action_detail",
    ),
    path(
        "corrective-actions/<int:pk>/move/",
        corrective_actions.corrective_action_move,
        name="corrective_action_move",
    ),
    path(
        "corrective-actions/<int:pk>/hand-over/",
        corrective_actions.corrective_action_hand_over,
        name="corrective_action_hand_over",
    ),
    path("opportunities/", opportunities.opportunity_list, name="opportunity_list"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/won/", opportunities.opportunity_win, name="opportunity_win"),
    path("opportunities/<int:pk>/lost/", opportunities.opportunity_lose, name="opportunity_lose"),
    path("referrals/", referrals.referral_list, name="referral_list"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/move/", referrals.referral_move, name="referral_move"),
    path("referrals/<int:pk>/drop/", referrals.referral_drop, name="referral_drop"),
    path("referrals/<int:pk>/convert/", referrals.referral_convert, name="referral_convert"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notification_read_all",
    ),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
]
