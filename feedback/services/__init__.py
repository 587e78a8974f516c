"""Writes of visits, reports and follow-ups; one module per sub-domain."""
