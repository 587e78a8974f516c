"""Management dashboards: retention, coverage, quality, growth, referrals, at-risk."""
