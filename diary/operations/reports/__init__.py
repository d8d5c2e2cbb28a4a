"""Investigators' reports: figures aggregated in the database, for staff of their sites."""
