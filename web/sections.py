"""The report page's panels: one function each, returning what its template block shows.

Every figure is the JSON reports' (``diary.operations.reports``): adherence from the cohort
adherence report, the primary endpoint, the adverse-event table and the alert figures from
theirs. Only the heatmap's days come from ``diary.operations.report_page``.
"""

from dataclasses import dataclass
from decimal import Decimal

from diary.operations.report_page import ParticipantDays
from diary.operations.reports.adherence import ParticipantFigures
from diary.rules.rounding import PERCENT_PLACES, half_up

HEATMAP_CELL = 10  # px per day; 112 days make a row 1120 px wide, scrolled on a phone
HEATMAP_LABEL = 64
BAR_HEIGHT = 16
BAR_WIDTH = 300
STATUS_WORDS = {"taken": "taken", "missed": "missed", "unreported": "unreported",
                "held": "held", "not_yet": "not yet", "withdrawn": "after withdrawal"}
# The adverse-event table's grade columns: (heading, key in the JSON report).
GRADE_COLUMNS = (("1-2", "grade_1_2"), ("3", "grade_3"), ("4", "grade_4"), ("5", "grade_5"))


def percent(fraction: Decimal | None) -> str:
    """Return a fraction as a percentage with one decimal ("85.7 %"), or "n/a"."""
    if fraction is None:
        return "n/a"
    return f"{half_up(Decimal(str(fraction)) * 100, PERCENT_PLACES)} %"


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


def adherence_section(cohort: list[ParticipantFigures], threshold: Decimal) -> dict:
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


def adverse_event_section(report: dict) -> dict:
    """Return the table's rows as text (n and %), its columns and the serious events
    (``reports.safety.adverse_event_table``)."""

    def cell(count: dict) -> str:
        share = count["percent"]
        shown = "n/a" if share is None else f"{half_up(share, PERCENT_PLACES)} %"
        return f"{count['n']} ({shown})"

    rows = [{"term": row["term"], "any": cell(row["any"]),
             "groups": [cell(row[key]) for _, key in GRADE_COLUMNS]}
            for row in report["terms"]]
    return {"rows": rows, "groups": [label for label, _ in GRADE_COLUMNS],
            "cohort": report["participants"], "serious": report["serious_events"],
            "events": report["events"], "partial_onsets": report["partial_onsets"]}


def alert_section(open_alerts: list, figures: dict) -> dict:
    """Return the alerts not yet closed and the alert figures (``reports.alerts``)."""
    reports = figures["symptom_reports"]
    acted = figures["acted_on"]
    return {
        "open": open_alerts,
        "total": figures["alerts"],
        "by_kind": [row | {"median": minutes(row["acknowledge_minutes"]["median"]),
                           "p90": minutes(row["acknowledge_minutes"]["p90"])}
                    for row in figures["by_kind"]],
        "acknowledge": {"n": figures["acknowledge_minutes"]["n"],
                        "median": minutes(figures["acknowledge_minutes"]["median"]),
                        "p90": minutes(figures["acknowledge_minutes"]["p90"])},
        "raised_alert": f"{reports['raised_alert']} of {reports['reports']} "
                        f"({percent(_decimal(reports['share']))})",
        "acted_on": f"{acted['n']} of {figures['alerts']} ({percent(_decimal(acted['share']))})",
    }


def minutes(value: float | None) -> str:
    """Return a time to acknowledge in minutes, one decimal ("12.5 min"), or "n/a"."""
    return "n/a" if value is None else f"{half_up(value, 1)} min"
