"""Investigators' reports: figures over the participants of the caller's sites."""
