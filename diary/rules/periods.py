"""Inclusive date periods, where a missing end means "still going"."""

from datetime import date


def periods_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Say whether two inclusive periods share a day (a None end runs on for ever)."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)
