"""The demo cohort's plan: the same seed gives the same cohort, at the rates asked for."""

from datetime import date, timedelta

from diary.rules import demo_cohort as plan

ANCHOR = date(2026, 12, 1)


def _taken_share(person) -> float:
    days = (ANCHOR - person.enrolled_on).days
    return sum(dose.status == "taken" for dose in person.doses) / days


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another():
    assert plan.plan_cohort(7, ANCHOR) == plan.plan_cohort(7, ANCHOR)
    assert plan.plan_cohort(7, ANCHOR) != plan.plan_cohort(8, ANCHOR)


def test_21_participants_coded_demo_each_with_the_whole_16_week_window_behind_them():
    cohort = plan.plan_cohort(1, ANCHOR)
    assert [person.study_code for person in cohort] == [f"DEMO-{n:02d}" for n in range(1, 22)]
    for person in cohort:
        assert ANCHOR - timedelta(days=134) <= person.enrolled_on <= ANCHOR - timedelta(days=118)
        assert max(dose.day for dose in person.doses) < ANCHOR


def test_side_effects_come_at_the_published_rates_with_few_grade_3():
    for seed in range(5):
        cohort = plan.plan_cohort(seed, ANCHOR)
        with_term = {term: sum(any(e.term == term for e in p.events) for p in cohort)
                     for term in ("Fatigue", "Edema limbs", "Nausea", "Rash maculo-papular")}
        assert 9 <= with_term["Fatigue"] <= 12  # about half of 21
        assert 8 <= with_term["Edema limbs"] <= 11  # 40-50 %
        assert 7 <= with_term["Nausea"] <= 11  # a third to a half
        assert 1 <= with_term["Rash maculo-papular"] <= 3  # about a tenth
        events = [e for p in cohort for e in p.events]
        assert 1 <= sum(bool(e.seriousness) for e in events) <= 2
        assert sum(e.grade >= 3 for e in events) <= 5
        assert sum(e.action == "dose_reduced" for e in events) == 1


def test_most_participants_adhere_and_a_few_fall_under_90_percent():
    for seed in range(5):
        shares = [_taken_share(person) for person in plan.plan_cohort(seed, ANCHOR)]
        below = sum(share < 0.9 for share in shares)
        assert 2 <= below <= 6, shares


def test_weekends_are_missed_more_often_than_weekdays():
    doses = [(d.day, d.status) for p in plan.plan_cohort(3, ANCHOR) for d in p.doses]
    weekend = [status != "taken" for day, status in doses if day.weekday() >= 5]
    weekday = [status != "taken" for day, status in doses if day.weekday() < 5]
    assert sum(weekend) / len(weekend) > sum(weekday) / len(weekday)


def test_some_entries_are_late_and_some_are_corrected():
    doses = [d for p in plan.plan_cohort(2, ANCHOR) for d in p.doses]
    assert sum(d.recorded_after > timedelta(days=4) for d in doses) > 20
    assert sum(d.corrected_by is not None for d in doses) > 5
