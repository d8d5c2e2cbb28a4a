"""The report page's panels: one function each, returning what its template block shows.

The heatmap, the adherence bars, the adverse-event table and the alerts come from the
operations in ``diary.operations.report_page``; the primary endpoint from
``diary.operations.reports.outcomes``, the same figures as its JSON report.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from diary.operations.report_page import ParticipantDays
from diary.rules.safety_table import GRADE_GROUPS, Count, TermRow

HEATMAP_CELL = 10  # px per day; 112 days make a row 1120 px wide, scrolled on a phone
HEATMAP_LABEL = 64
BAR_HEIGHT = 16
BAR_WIDTH = 300
STATUS_WORDS = {"taken": "taken", "missed": "missed", "unreported": "unreported",
                "held": "held", "not_yet": "not yet"}


def percent(fraction: Decimal | None) -> str:
    """Return a fraction as a percentage with one decimal ("85.7 %"), or "n/a"."""
    if fraction is None:
        return "n/a"
    return f"{(fraction * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


def heatmap_section(cohort: list[ParticipantDays], window_days: int) -> dict:
    """Return one row of coloured cells per participant, each cell with its title."""
    rows = []
    for index, person in enumerate(cohort):
        cells = [{"x": HEATMAP_LABEL + (day.study_day - 1) * HEATMAP_CELL,
                  "status": day.status,
                  "title": f"{person.study_code} · day {day.study_day} · "
                           f"{day.day.isoformat()} · {STATUS_WORDS[day.status]}"}
                 for day in person.days]
        rows.append({"code": person.study_code, "y": index * HEATMAP_CELL, "cells": cells})
    return {"rows": rows, "cell": HEATMAP_CELL, "label_width": HEATMAP_LABEL,
            "width": HEATMAP_LABEL + window_days * HEATMAP_CELL,
            "height": max(1, len(cohort)) * HEATMAP_CELL, "statuses": STATUS_WORDS,
            "weeks": [{"x": HEATMAP_LABEL + (week - 1) * 7 * HEATMAP_CELL, "week": week}
                      for week in range(1, window_days // 7 + 1)]}


@dataclass(frozen=True)
class Bar:
    code: str
    y: int
    width: float
    label: str
    below: bool
    taken: int
    expected: int
    missed: int
    unreported: int
    held: int


def adherence_section(cohort: list[ParticipantDays], threshold: Decimal) -> dict:
    """Return a bar per participant (adherence over the window so far) and the line."""
    bars = []
    for index, person in enumerate(cohort):
        figures = person.figures
        fraction = figures.adherence or Decimal(0)
        bars.append(Bar(person.study_code, index * (BAR_HEIGHT + 4),
                        float(fraction) * BAR_WIDTH, percent(figures.adherence),
                        figures.below_threshold, figures.taken, figures.expected,
                        figures.missed, figures.unreported, figures.held))
    return {"bars": bars, "label_width": HEATMAP_LABEL, "bar_width": BAR_WIDTH,
            "bar_height": BAR_HEIGHT, "threshold": percent(threshold),
            "threshold_x": HEATMAP_LABEL + float(threshold) * BAR_WIDTH,
            "height": max(1, len(bars)) * (BAR_HEIGHT + 4),
            "below": [bar.code for bar in bars if bar.below]}


def primary_endpoint_section(report: dict) -> dict:
    """Return the primary endpoint as sentences: the rate with its exact interval, survival,
    adherence by outcome, and who could not be evaluated (``reports.primary_endpoint``)."""
    rate = report["non_progression"]
    survival = report["survival"]
    return {
        "available": bool(rate["n"]),
        "message": "No participant has an evaluable assessment near day 112 yet.",
        "rate": f"{rate['k']} of {rate['n']} ({percent(_decimal(rate['rate']))})",
        "interval": (f"{percent(_decimal(rate['ci_low']))} to "
                     f"{percent(_decimal(rate['ci_high']))}"),
        "survival": (f"{survival['alive']} of {survival['n']} alive "
                     f"({percent(_decimal(survival['rate']))}), {survival['censored']} censored"),
        "adherence": [{"group": label, "n": spread["n"],
                       "mean": percent(_decimal(spread["mean"])),
                       "median": percent(_decimal(spread["median"]))}
                      for label, spread in (("Non-progressing", report["adherence"]
                                             ["non_progressing"]),
                                            ("Progressing", report["adherence"]
                                             ["progressing"]))],
        "not_evaluable": [row.study_code for row in report["not_evaluable"]],
    }


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def adverse_event_section(table: list[TermRow], serious: list, cohort_size: int) -> dict:
    """Return the table's rows as text (n and %), its columns and the serious events."""

    def cell(count: Count) -> str:
        return f"{count.n} ({percent(count.share)})"

    rows = [{"term": row.term, "any": cell(row.any_grade),
             "groups": [cell(row.by_group[label]) for label, _ in GRADE_GROUPS]}
            for row in table]
    return {"rows": rows, "groups": [label for label, _ in GRADE_GROUPS],
            "cohort": cohort_size, "serious": serious}


def alert_section(open_alerts: list, counts: dict) -> dict:
    """Return the alerts not yet closed and a count per kind and status."""
    statuses = ("open", "acknowledged", "closed")
    kinds = sorted({kind for kind, _ in counts})
    return {"open": open_alerts, "statuses": statuses,
            "counts": [{"kind": kind, "by_status": [counts.get((kind, s), 0) for s in statuses],
                        "total": sum(counts.get((kind, s), 0) for s in statuses)}
                       for kind in kinds]}
