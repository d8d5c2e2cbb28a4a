"""Which fields fit a dose entry, which dates and times are possible, what is a retry."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from diary.rules.doses import (
    DoseInput,
    body_sha256,
    date_errors,
    dose_mg_errors,
    shape_errors,
    taken_at_errors,
)

DAY_START = datetime(2026, 3, 4, 15, tzinfo=UTC)
DAY_END = datetime(2026, 3, 5, 15, tzinfo=UTC)
NOW = datetime(2026, 3, 6, 0, tzinfo=UTC)


def test_taken_dose_needs_milligrams():
    assert shape_errors({"status": "taken"}) == {"dose_mg": ["Required when the dose was taken."]}


def test_missed_dose_refuses_milligrams_and_time():
    errors = shape_errors({"status": "missed", "dose_mg": Decimal(400),
                           "taken_at": DAY_START})
    assert set(errors) == {"dose_mg", "taken_at"}


def test_other_reason_needs_its_text():
    assert "missed_reason_text" in shape_errors({"status": "missed", "missed_reason": "other"})
    assert shape_errors({"status": "missed", "missed_reason": "other",
                         "missed_reason_text": "travelling"}) == {}


def test_missed_reason_is_only_for_missed_doses():
    errors = shape_errors({"status": "taken", "dose_mg": Decimal(400), "missed_reason": "forgot"})
    assert set(errors) == {"missed_reason"}


def test_dose_date_must_be_in_the_diary():
    enrolled, today = date(2026, 3, 1), date(2026, 3, 5)
    assert date_errors(date(2026, 2, 28), enrolled_on=enrolled, local_today=today)
    assert date_errors(date(2026, 3, 6), enrolled_on=enrolled, local_today=today)
    assert date_errors(date(2026, 3, 1), enrolled_on=enrolled, local_today=today) == []
    assert date_errors(today, enrolled_on=enrolled, local_today=today) == []


def test_taken_at_within_a_day_of_the_local_day_is_accepted():
    early = DAY_START - timedelta(days=1)
    assert taken_at_errors(early, day_start=DAY_START, day_end=DAY_END, now=NOW) == []
    late = DAY_END + timedelta(hours=8)
    assert taken_at_errors(late, day_start=DAY_START, day_end=DAY_END, now=NOW) == []


def test_taken_at_more_than_a_day_away_is_refused():
    later = NOW + timedelta(days=5)
    too_early = DAY_START - timedelta(days=1, seconds=1)
    assert taken_at_errors(too_early, day_start=DAY_START, day_end=DAY_END, now=later)
    too_late = DAY_END + timedelta(days=1)
    assert taken_at_errors(too_late, day_start=DAY_START, day_end=DAY_END, now=later)


def test_taken_at_in_the_future_or_naive_is_refused():
    assert taken_at_errors(NOW + timedelta(hours=1), day_start=DAY_START, day_end=DAY_END, now=NOW)
    naive = datetime(2026, 3, 5, 8)
    assert taken_at_errors(naive, day_start=DAY_START, day_end=DAY_END, now=NOW)


def test_dose_above_twice_the_prescription_or_not_positive_is_refused():
    assert dose_mg_errors(Decimal(800), Decimal(400)) == []
    assert dose_mg_errors(Decimal("800.01"), Decimal(400))
    assert dose_mg_errors(Decimal(0), Decimal(400))
    assert dose_mg_errors(Decimal(-1), Decimal(400))


def test_same_write_in_another_spelling_has_the_same_digest():
    seoul = timezone(timedelta(hours=9))
    one = {"client_id": "a", "dose_date": date(2026, 3, 5), "status": "taken",
           "dose_mg": Decimal("400"), "taken_at": datetime(2026, 3, 5, 8, tzinfo=seoul)}
    two = dict(one, dose_mg=Decimal("400.00"), taken_at=datetime(2026, 3, 4, 23, tzinfo=UTC),
               vomited=False)
    one, two = DoseInput(**one), DoseInput(**two)
    assert body_sha256(one, source="app") == body_sha256(two, source="app")


def test_different_write_has_a_different_digest():
    one = {"client_id": "a", "dose_date": date(2026, 3, 5), "status": "taken",
           "dose_mg": Decimal(400)}
    other = DoseInput(**dict(one, dose_mg=Decimal(300)))
    one = DoseInput(**one)
    assert body_sha256(one, source="app") != body_sha256(other,
                                                         source="app")
    assert body_sha256(one, source="app") != body_sha256(one, source="sms")


def test_dose_input_is_what_the_write_schema_accepts():
    from api.schemas.doses import DoseWriteSchema, StaffDoseWriteSchema
    from diary.rules.doses import INPUT_FIELDS

    assert set(DoseWriteSchema().fields) == set(INPUT_FIELDS)
    assert set(StaffDoseWriteSchema().fields) == {*INPUT_FIELDS, "reason"}


def test_dose_input_has_one_canonical_form():
    seoul = timezone(timedelta(hours=9))
    dose = DoseInput(client_id=12, dose_date=date(2026, 3, 5), status="taken", dose_mg=400,
                     taken_at=datetime(2026, 3, 5, 8, tzinfo=seoul), vomited=None)
    assert (dose.client_id, dose.dose_mg, dose.vomited) == ("12", Decimal(400), False)
    assert dose.taken_at == datetime(2026, 3, 4, 23, tzinfo=UTC)
    assert dose.taken_at.utcoffset() == timedelta(0)
