"""The feedback app's pages: visits, reports and the personal list (visits.py and friends),
follow-ups, corrective actions, opportunities, referrals and notifications (work.py and friends)."""
