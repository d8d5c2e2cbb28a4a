"""The prescription on a day, from dose steps and holds, as plain values."""

from datetime import date
from decimal import Decimal

from diary.rules.regimen import (
    DoseStep,
    Hold,
    expected_days,
    is_held,
    prescribed_by_day,
    prescribed_mg_on,
    step_mg_on,
)

STEPS = [DoseStep(date(2026, 3, 1), Decimal(400)), DoseStep(date(2026, 3, 15), Decimal(300))]


def test_latest_step_in_effect_gives_the_dose():
    assert prescribed_mg_on(date(2026, 3, 1), STEPS, []) == 400
    assert prescribed_mg_on(date(2026, 3, 14), STEPS, []) == 400
    assert prescribed_mg_on(date(2026, 3, 15), STEPS, []) == 300


def test_no_dose_before_the_first_step():
    assert prescribed_mg_on(date(2026, 2, 28), STEPS, []) is None


def test_held_day_has_no_dose_but_keeps_its_step():
    holds = [Hold(date(2026, 3, 10), date(2026, 3, 12))]
    assert prescribed_mg_on(date(2026, 3, 10), STEPS, holds) is None
    assert prescribed_mg_on(date(2026, 3, 12), STEPS, holds) is None
    assert prescribed_mg_on(date(2026, 3, 13), STEPS, holds) == 400
    assert step_mg_on(date(2026, 3, 11), STEPS) == 400


def test_open_ended_hold_runs_on():
    holds = [Hold(date(2026, 3, 20), None)]
    assert is_held(date(2027, 1, 1), holds)
    assert not is_held(date(2026, 3, 19), holds)


def test_expected_days_leave_out_held_days():
    holds = [Hold(date(2026, 3, 3), date(2026, 3, 4))]
    days = expected_days(date(2026, 3, 1), date(2026, 3, 7), holds)
    assert len(days) == 5
    assert date(2026, 3, 3) not in days


def test_prescribed_by_day_follows_a_dose_reduction():
    plan = prescribed_by_day(date(2026, 3, 14), date(2026, 3, 15), STEPS, [])
    assert plan == {date(2026, 3, 14): Decimal(400), date(2026, 3, 15): Decimal(300)}
