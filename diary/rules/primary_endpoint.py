"""The primary endpoint and survival at week 16, as pure functions of plain values.

NCT02495519's primary endpoint is the non-progression rate at 16 weeks: the share of
participants whose RECIST 1.1 overall response at week 16 is CR, PR or SD. The week-16
assessment is the evaluable one (not NE) nearest study day 112, within a window the
study file sets (``[windows] primary_assessment_window_days``, default 14 days either side).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from scipy.stats import binomtest

from diary.rules.study_days import study_day

# RECIST 1.1 overall responses (Eisenhauer et al., Eur J Cancer 2009).
RESPONSES = ("CR", "PR", "SD", "PD", "NE")
NON_PROGRESSION = frozenset({"CR", "PR", "SD"})
NOT_EVALUABLE = "NE"
DEFAULT_WINDOW_DAYS = 14
# What a participant counts as in the primary analysis.
NON_PROGRESSING, PROGRESSING, UNEVALUABLE = "non_progression", "progression", "not_evaluable"
NO_ASSESSMENT, ONLY_NE = "no_assessment_in_window", "only_ne_in_window"
# Overall survival at the target day.
ALIVE, DEAD, CENSORED = "alive", "dead", "censored"


@dataclass(frozen=True)
class Assessed:
    """One assessment as the endpoint reads it: its visit's study day and the response."""

    study_day: int
    response: str
    # Breaks ties between two visits on one day: the one recorded later wins.
    order: int = 0


@dataclass(frozen=True)
class Classified:
    """A participant's place in the primary analysis, and the assessment behind it."""

    outcome: str
    assessment: Assessed | None
    reason: str | None = None


def window_days(definition: dict) -> int:
    """Return the study's window around the target day, in days either side."""
    return int(definition.get("windows", {}).get("primary_assessment_window_days",
                                                  DEFAULT_WINDOW_DAYS))


def window_problems(definition: dict) -> list[str]:
    """Return what is wrong with the study file's assessment window (empty when usable)."""
    raw = definition.get("windows", {}).get("primary_assessment_window_days",
                                            DEFAULT_WINDOW_DAYS)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 56:
        return ["primary_assessment_window_days must be a whole number of days from 0 to 56."]
    return []


def assessment_day(enrolled_on: date, visit: date) -> int:
    """Return the visit's study day (enrolment is day 1; there is no day 0)."""
    return study_day(enrolled_on, visit)


def in_window(day: int, target_day: int, window: int) -> bool:
    """Say whether a study day lies within ``window`` days of the target, edges included."""
    return abs(day - target_day) <= window


def nearest_evaluable(assessments: Sequence[Assessed], target_day: int,
                      window: int) -> Assessed | None:
    """Return the evaluable assessment in the window nearest the target day, or None.

    Two visits equally far from the target: the later one, which is the newer news of
    the tumour; two on one day: the one recorded later.
    """
    candidates = [a for a in assessments if a.response != NOT_EVALUABLE
                  and in_window(a.study_day, target_day, window)]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (abs(a.study_day - target_day), -a.study_day,
                                          -a.order))


def classify(assessments: Sequence[Assessed], target_day: int, window: int) -> Classified:
    """Return whether a participant is non-progressing, progressing or not evaluable."""
    chosen = nearest_evaluable(assessments, target_day, window)
    if chosen is not None:
        outcome = NON_PROGRESSING if chosen.response in NON_PROGRESSION else PROGRESSING
        return Classified(outcome, chosen)
    windowed = [a for a in assessments if in_window(a.study_day, target_day, window)]
    return Classified(UNEVALUABLE, None, ONLY_NE if windowed else NO_ASSESSMENT)


def exact_interval(successes: int, trials: int,
                   confidence: float = 0.95) -> tuple[float, float] | None:
    """Return the exact (Clopper-Pearson) confidence interval of a proportion; None if n=0."""
    if trials == 0:
        return None
    interval = binomtest(successes, trials).proportion_ci(confidence_level=confidence,
                                                          method="exact")
    return float(interval.low), float(interval.high)


def survival_at(target_day: int, *, dead: bool, death_day: int | None,
                last_known_alive_day: int | None) -> str:
    """Return alive, dead or censored at the target study day.

    Dead on or before the target day is an event. Known alive on or after it (or dead
    only after it) is alive. Anyone else was last seen alive before the target day and
    is censored: left out of the proportion, neither alive nor dead.
    """
    if dead and death_day is not None:
        return DEAD if death_day <= target_day else ALIVE
    if last_known_alive_day is not None and last_known_alive_day >= target_day:
        return ALIVE
    return CENSORED
