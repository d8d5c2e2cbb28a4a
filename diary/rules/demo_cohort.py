"""A synthetic NCT02495519 cohort as plain values: who, which days, which side effects.

Everything follows from ``random.Random(seed)`` and the anchor day (the day the cohort is
seeded, in the site's zone): the same seed on the same anchor gives the same cohort, and
the dates move with the anchor. ``diary.operations.demo`` replays the plan through the
real operations. Rates are those reported for imatinib 400 mg in desmoid tumour (fatigue
about half the patients, oedema 40-50 %, nausea a third to a half, rash about a tenth;
few grade 3): a fixed share of the cohort gets each, so every seed shows them.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from diary.models.adverse_event_version import DOSE_REDUCED, INTERRUPTED, NO_ACTION

COHORT_SIZE = 21
CODE_PREFIX = "DEMO-"
DOSE_MG = Decimal(400)
REDUCED_MG = Decimal(300)
# Day 1 about 120 days before the anchor, a few weeks apart: every participant has the
# whole 16-week primary window (112 days) behind them.
FIRST_ENROLLED_DAYS_AGO = 134
LAST_ENROLLED_DAYS_AGO = 118
# Share of the cohort with each side effect (a fixed count: round(share * size)).
SIDE_EFFECTS = {
    "Fatigue": 0.50,
    "Edema limbs": 0.45,
    "Nausea": 0.40,
    "Muscle cramp": 0.30,
    "Diarrhea": 0.25,
    "Rash maculo-papular": 0.10,
}
LOW_ADHERERS = 3
CORRECTED_SHARE = 0.01
LATE_SHARE = 0.03
LATE_EXTRA = timedelta(days=4)  # past the study's 72-hour late-entry window
HOLD_DAYS = 5


@dataclass(frozen=True)
class DemoDose:
    """One day's entry as the participant's phone records it."""

    client_id: str
    day: date
    status: str  # taken | missed
    dose_mg: Decimal | None
    missed_reason: str | None
    vomited: bool
    # When it is recorded, from the start of the local day.
    recorded_after: timedelta
    # Recorded first as missed, then corrected to taken (a second version, a reason).
    corrected_by: str | None = None


@dataclass(frozen=True)
class DemoEvent:
    """An adverse event as staff record it, the day after its onset."""

    term: str
    grade: int
    onset: date
    end: date | None
    outcome: str
    relatedness: str
    seriousness: tuple[str, ...] = ()
    action: str = NO_ACTION
    change_from: date | None = None  # the dose reduction's first day, or the hold's
    change_to: date | None = None  # the hold's last day


@dataclass(frozen=True)
class DemoParticipant:
    study_code: str
    enrolled_on: date
    reminder_time: time
    locale: str
    proxy_reporter: bool
    adherence: float  # the chance of taking an ordinary weekday's dose
    doses: tuple[DemoDose, ...]
    events: tuple[DemoEvent, ...]
    # The RECIST 1.1 response at the week-16 visit (day 112), for when tumour assessments
    # can be recorded: stable disease mostly, a few partial responses, one or two PD.
    week16_response: str = "SD"


def _client_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def plan_cohort(seed: int, anchor: date, size: int = COHORT_SIZE) -> list[DemoParticipant]:
    """Return the cohort for ``seed``, with day 1 about 120 days before ``anchor``."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by design)
    low = set(rng.sample(range(size), LOW_ADHERERS))
    events = _plan_events(rng, size, anchor)
    cohort = []
    for index in range(size):
        enrolled = anchor - timedelta(days=rng.randint(LAST_ENROLLED_DAYS_AGO,
                                                       FIRST_ENROLLED_DAYS_AGO))
        adherence = rng.uniform(0.72, 0.86) if index in low else rng.uniform(0.955, 0.995)
        mine = tuple(event(enrolled) for event in events.get(index, []))
        response = rng.choices(("SD", "PR", "PD"), weights=(70, 22, 8))[0]
        cohort.append(DemoParticipant(
            study_code=f"{CODE_PREFIX}{index + 1:02d}", enrolled_on=enrolled,
            reminder_time=rng.choice((time(8, 0), time(9, 0), time(20, 0))),
            locale="en" if rng.random() < 0.2 else "ko",
            proxy_reporter=rng.random() < 0.15, adherence=adherence,
            doses=_plan_doses(rng, enrolled, anchor, adherence, mine), events=mine,
            week16_response=response,
        ))
    return cohort


def _plan_events(rng: random.Random, size: int, anchor: date) -> dict[int, list]:
    """Return, per participant, functions of the enrolment date that make their events."""
    planned: dict[int, list] = {}
    common = []
    for term, share in SIDE_EFFECTS.items():
        for index in rng.sample(range(size), round(share * size)):
            common.append((index, term))
    severe = set(rng.sample(range(len(common)), 2))
    reduced = next(i for i, (_, term) in enumerate(common) if term == "Edema limbs")
    severe.add(reduced)
    for position, (index, term) in enumerate(common):
        grade = 3 if position in severe else rng.choices((1, 2), weights=(70, 30))[0]
        onset_day, lasting = rng.randint(3, 80), rng.randint(7, 45)
        action = DOSE_REDUCED if position == reduced else NO_ACTION
        planned.setdefault(index, []).append(
            _event_maker(term, grade, onset_day, lasting, anchor, action,
                         relatedness=rng.choice(("possible", "probable"))))
    for index in rng.sample(range(size), rng.choice((1, 2))):
        planned.setdefault(index, []).append(_event_maker(
            "Abdominal pain", 3, rng.randint(20, 70), rng.randint(4, 10), anchor,
            INTERRUPTED, relatedness="unlikely", seriousness=("hospitalisation",)))
    return planned


def _event_maker(term, grade, onset_day, lasting, anchor, action, *, relatedness,
                 seriousness=()):
    def make(enrolled: date) -> DemoEvent:
        onset = enrolled + timedelta(days=onset_day - 1)
        end = onset + timedelta(days=lasting)
        over = end < anchor - timedelta(days=1)
        change_from = change_to = None
        if action == DOSE_REDUCED:
            change_from = onset + timedelta(days=2)
        elif action == INTERRUPTED:
            change_from = onset + timedelta(days=1)
            change_to = change_from + timedelta(days=HOLD_DAYS - 1)
        return DemoEvent(term=term, grade=grade, onset=onset, end=end if over else None,
                         outcome="recovered" if over else "recovering",
                         relatedness=relatedness, seriousness=seriousness, action=action,
                         change_from=change_from, change_to=change_to)

    return make


def _plan_doses(rng: random.Random, enrolled: date, anchor: date, adherence: float,
                events: tuple[DemoEvent, ...]) -> tuple[DemoDose, ...]:
    """Return the entries from day 1 to the day before the anchor (some days have none)."""
    reduced_from = next((e.change_from for e in events if e.action == DOSE_REDUCED), None)
    holds = [(e.change_from, e.change_to) for e in events if e.action == INTERRUPTED]
    doses = []
    day = enrolled
    while day < anchor:
        if any(start <= day <= end for start, end in holds):
            doses.append(_dose(rng, day, "missed", None, "held_by_doctor"))
        else:
            # Weekends go worse: the routine of a working day is what keeps a daily pill.
            chance = adherence - (0.08 if day.weekday() >= 5 else 0.0)
            mg = REDUCED_MG if reduced_from and day >= reduced_from else DOSE_MG
            if rng.random() < chance:
                doses.append(_dose(rng, day, "taken", mg, None))
            elif rng.random() < 0.5:
                doses.append(_dose(rng, day, "missed", None,
                                   rng.choice(("forgot", "forgot", "forgot", "side_effects"))))
            # else: no entry at all, an unreported day
        day += timedelta(days=1)
    return tuple(doses)


def _dose(rng: random.Random, day: date, status: str, mg, reason) -> DemoDose:
    after = timedelta(hours=rng.uniform(8.5, 22.5))
    if rng.random() < LATE_SHARE:
        after += LATE_EXTRA
    corrected = None
    if status == "taken" and rng.random() < CORRECTED_SHARE:
        corrected = "Found the dose gone from the pill box: it was taken."
    return DemoDose(client_id=_client_id(rng), day=day, status=status, dose_mg=mg,
                    missed_reason=reason, vomited=status == "taken" and rng.random() < 0.01,
                    recorded_after=after, corrected_by=corrected)
