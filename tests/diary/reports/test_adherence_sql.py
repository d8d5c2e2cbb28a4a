"""The cohort report's SQL gives the pure rule's figures, on random diaries.

Random regimens (dose steps, holds open or closed), random diaries (taken, partial,
vomited, late, missed with or without a reason, gaps), random windows in study days or in
dates, withdrawals and zones on both sides of the date line; the figures the database
aggregates must equal those ``diary.rules.adherence.summarise`` computes day by day.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.extensions import db
from diary.models import DoseEntry, DoseHold, PrescribedDose
from diary.models.dose_entry import MISSED_REASONS
from diary.operations.reports import adherence
from diary.operations.reports.adherence import participant_figures
from diary.operations.reports.participant_adherence import participant_adherence
from diary.rules.report_windows import Window
from diary.rules.study_days import study_day
from tests.factories import load_other_study, make_participant, make_staff

FROZEN_AT = datetime(2026, 6, 15, 11, 30, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
ZONES = ("Asia/Seoul", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")
SPAN = 70  # days of diary before today

entry = st.one_of(
    st.none(),
    st.tuples(st.just("taken"), st.sampled_from([400, 300, 200, Decimal("133.33")]),
              st.booleans(), st.booleans()),
    st.tuples(st.just("missed"), st.sampled_from([None, *MISSED_REASONS]), st.booleans(),
              st.booleans()),
)


@st.composite
def holds(draw):
    """Non-overlapping holds (the regimen refuses overlaps), the last perhaps open."""
    cuts = sorted(draw(st.lists(st.integers(0, SPAN + 5), max_size=6, unique=True)))
    spans = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    if spans and draw(st.booleans()):
        spans[-1] = (spans[-1][0], None)
    return spans


@st.composite
def windows(draw):
    if draw(st.booleans()):
        first = draw(st.one_of(st.none(), st.integers(1, SPAN + 10)))
        last = draw(st.one_of(st.none(), st.integers(first or 1, SPAN + 20)))
        return Window(first, last)
    today = FROZEN_AT.date()
    start = draw(st.one_of(st.none(), st.integers(-SPAN - 10, 2)))
    end = draw(st.one_of(st.none(), st.integers(start if start is not None else -SPAN, 3)))
    return Window(start=None if start is None else today + timedelta(days=start),
                  end=None if end is None else today + timedelta(days=end))


diaries = st.fixed_dictionaries({
    "zone": st.sampled_from(ZONES),
    "steps": st.lists(st.tuples(st.integers(1, SPAN), st.sampled_from([300, 200, 400])),
                      max_size=3),
    "holds": holds(),
    "entries": st.lists(entry, min_size=SPAN + 1, max_size=SPAN + 1),
    "withdrawn": st.one_of(st.none(), st.integers(0, SPAN)),
    # Days since enrolment; below 0, not started yet (enrolment may be up to 90 days on).
    "enrolled_ago": st.one_of(st.just(SPAN), st.integers(-5, SPAN)),
})


def _diary(spec, staff, counter=[0], site=None):  # noqa: B006 (a counter across examples)
    counter[0] += 1
    today = local_today(spec["zone"])
    enrolled = today - timedelta(days=spec.get("enrolled_ago", SPAN))
    patient = make_participant(enrolled=enrolled, tz=spec["zone"], phone=None, site=site,
                               sms_consent=False, study_code=f"H{counter[0]:05d}")
    for offset, mg in spec["steps"]:
        db.session.add(PrescribedDose(participant_id=patient.id,
                                      effective_from=enrolled + timedelta(days=offset),
                                      dose_mg=Decimal(mg), reason="Changed", created_at=utcnow()))
    for first, last in spec["holds"]:
        db.session.add(DoseHold(participant_id=patient.id,
                                start_date=enrolled + timedelta(days=first),
                                end_date=None if last is None else enrolled + timedelta(days=last),
                                reason="Held", created_by_staff_id=staff.id,
                                created_at=utcnow()))
    for offset, value in enumerate(spec["entries"]):
        # No diary holds an entry for a day still to come.
        if value is not None and enrolled + timedelta(days=offset) <= today:
            db.session.add(_entry(patient, enrolled + timedelta(days=offset), *value))
    if spec["withdrawn"] is not None and enrolled + timedelta(days=spec["withdrawn"]) <= today:
        patient.status = "withdrawn"
        patient.withdrawn_on = enrolled + timedelta(days=spec["withdrawn"])
    db.session.commit()
    return patient


def _entry(patient, day: date, status, detail, vomited, late) -> DoseEntry:
    taken = status == "taken"
    return DoseEntry(
        participant_id=patient.id, dose_date=day, version=1, is_current=True, status=status,
        dose_mg=Decimal(detail) if taken else None, missed_reason=None if taken else detail,
        vomited=vomited, source="app", client_id=f"h-{patient.id}-{day}", body_sha256="0" * 64,
        recorded_at=utcnow(), study_day=study_day(patient.enrolled_on, day), late=late)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=diaries, window=windows())
def test_sql_figures_equal_the_rule_on_random_diaries(study, spec, window):
    staff = make_staff("admin")
    patient = _diary(spec, staff)
    actor = Actor.for_staff(staff)
    (row,) = participant_figures(actor, window, participant_ids=[patient.id])
    expected = participant_adherence(actor, patient.id, window)["figures"]
    assert row.figures == expected


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(diaries, min_size=2, max_size=4), window=windows())
def test_sql_figures_equal_the_rule_for_a_cohort_of_random_diaries(study, specs, window):
    # Together in one statement: enrolments, zones and windows that differ, so each
    # participant's blocks and edges (in dates, their own) come from the same scan.
    staff = make_staff("admin")
    patients = [_diary(spec, staff) for spec in specs]
    actor = Actor.for_staff(staff)
    rows = {row.participant_id: row.figures for row in participant_figures(
        actor, window, participant_ids=[patient.id for patient in patients])}
    assert rows == {patient.id: participant_adherence(actor, patient.id, window)["figures"]
                    for patient in patients}


def test_a_superseded_version_does_not_count(study):
    staff = make_staff("admin")
    patient = _diary({"zone": "Asia/Seoul", "steps": [], "holds": [], "withdrawn": None,
                      "entries": [None] * (SPAN + 1)}, staff)
    day = patient.enrolled_on
    old = _entry(patient, day, "missed", "forgot", False, False)
    old.is_current, old.client_id = False, "old"
    new = _entry(patient, day, "taken", 400, False, False)
    new.version = 2
    db.session.add_all([old, new])
    db.session.commit()
    (row,) = participant_figures(Actor.for_staff(staff), Window(1, 1),
                                 participant_ids=[patient.id])
    assert (row.figures.taken, row.figures.missed) == (1, 0)


def test_the_cohort_takes_the_same_few_statements_however_many_participants(
        study, count_queries):
    staff = make_staff("admin")
    actor = Actor.for_staff(staff)
    full = {"zone": "Asia/Seoul", "steps": [(20, 300)], "holds": [(5, 9)], "withdrawn": None,
             "entries": [("taken", 400, False, False)] * (SPAN + 1)}
    counts = []
    for _ in range(2):
        for _ in range(3):
            _diary(full, staff)
        with count_queries() as statements:
            rows = list(participant_figures(actor, Window(1, 112)))
        counts.append((len(rows), len(statements)))
    # The zones, then the one aggregate statement: nothing per participant. PostgreSQL
    # takes one more first, the SELECT set_config() of the report's planner settings.
    planner = 1 if db.engine.dialect.name == "postgresql" else 0
    assert [statements for _, statements in counts] == [2 + planner, 2 + planner]
    assert counts[1][0] == counts[0][0] + 3


def test_an_entry_for_a_day_not_yet_begun_in_the_zone_waits_for_that_day(study):
    # Recorded in a zone ahead, then the participant moved to one behind: the entry is for
    # tomorrow there, and counts from tomorrow, as the participant's own overview has it.
    staff = make_staff("admin")
    actor = Actor.for_staff(staff)
    taken = [("taken", 400, False, False)] * (SPAN + 1)
    _diary({"zone": "Pacific/Kiritimati", "steps": [], "holds": [], "withdrawn": None,
            "entries": taken}, staff)
    patient = _diary({"zone": "Pacific/Pago_Pago", "steps": [], "holds": [],
                      "withdrawn": None, "entries": taken}, staff)
    ahead = local_today("Pacific/Kiritimati")
    assert ahead > local_today("Pacific/Pago_Pago")
    db.session.add(_entry(patient, ahead, "missed", "forgot", False, True))
    db.session.commit()
    for window in (Window(), Window(start=patient.enrolled_on)):
        (row,) = participant_figures(actor, window, participant_ids=[patient.id])
        assert row.figures == participant_adherence(actor, patient.id, window)["figures"]
        assert (row.figures.missed, row.figures.late, row.figures.taken) == (0, 0, SPAN + 1)


def test_a_window_of_years_counts_every_reason_exactly(study):
    # Over years each reason's count needs a wider field, so the six share two sums.
    staff = make_staff("admin")
    actor = Actor.for_staff(staff)
    reasons = [None, *MISSED_REASONS]
    entries = [("missed", reasons[day // 3 % 6], False, day % 7 == 0) if day % 3 else
               ("taken", 400, day % 5 == 0, False) for day in range(1300)]
    patient = _diary({"zone": "Asia/Seoul", "steps": [(400, 300)], "holds": [(100, 120)],
                      "withdrawn": None, "entries": entries, "enrolled_ago": 1299}, staff)
    window = Window(start=patient.enrolled_on)
    (row,) = participant_figures(actor, window, participant_ids=[patient.id])
    assert row.figures.days == 1300
    assert row.figures == participant_adherence(actor, patient.id, window)["figures"]
    assert len(row.figures.missed_reasons) == 6


def test_a_window_of_a_century_reads_only_the_days_anyone_has_reached(study):
    # to_day may go up to 36 600 (a hundred years); the masks cover the days anyone has
    # reached: 71 days, one block (study days 1-56), the other 15 read from the entries.
    staff = make_staff("admin")
    actor = Actor.for_staff(staff)
    patient = _diary({"zone": "Asia/Seoul", "steps": [], "holds": [(10, 12)],
                      "withdrawn": None, "entries": [("taken", 400, False, False)] * SPAN},
                     staff)
    window = Window(1, 36_600)
    statement, span = adherence.report_statement(adherence.Cohort(actor), window)
    masks = [column for column in statement.selected_columns
             if column.name.startswith("taken_")]
    assert (span.length, len(masks)) == (SPAN + 1, 1)
    (row,) = participant_figures(actor, window, participant_ids=[patient.id])
    assert row.figures == participant_adherence(actor, patient.id, window)["figures"]
    assert (row.figures.days, row.figures.held, row.figures.taken) == (SPAN, 3, SPAN - 3)


def test_each_study_s_own_primary_window_when_studies_differ(study, tmp_path):
    # A cohort of two studies, 112 and 56 days: with no to_day each participant's window is
    # their own study's, and the shorter study's days 57 on are taken back out.
    staff = make_staff("admin")
    actor = Actor.for_staff(staff)
    site = load_other_study(tmp_path, primary_days=56, site_code="MSK")
    entries = [("missed", "forgot", False, True) if day % 4 == 0 else
               ("taken", 400, day % 9 == 0, False) for day in range(SPAN + 1)]
    spec = {"zone": "Asia/Seoul", "steps": [], "holds": [(60, 62)], "withdrawn": None,
            "entries": entries}
    patients = [_diary(spec, staff), _diary(spec, staff, site=site)]
    window = Window(from_day=1)
    rows = {row.participant_id: row for row in participant_figures(actor, window)}
    for patient in patients:
        assert rows[patient.id].figures == participant_adherence(
            actor, patient.id, window)["figures"]
    assert [rows[patient.id].figures.days for patient in patients] == [SPAN + 1, 56]
