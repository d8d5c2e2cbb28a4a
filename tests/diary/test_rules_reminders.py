"""Reminder due times: local wall clocks, daylight-saving days and quiet hours (no DB, no clock)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from diary.rules.reminders import (
    in_quiet_hours,
    local_due_instant,
    plan_day,
    reminder_local_time,
    stop_sending_at,
    wall_time_exists,
)

QUIET = {"quiet_start": time(21), "quiet_end": time(8)}
TWO_HOURS = timedelta(hours=2)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def plan(day, at, tz, **overrides):
    options = {**QUIET, "follow_up_after": TWO_HOURS, "expire_after": TWO_HOURS, **overrides}
    return plan_day(day, at, tz, **options)


def test_seoul_reminder_is_nine_hours_ahead_of_utc_all_year():
    assert local_due_instant(date(2026, 3, 8), time(9), "Asia/Seoul") == utc(2026, 3, 8, 0)
    assert local_due_instant(date(2026, 11, 1), time(9), "Asia/Seoul") == utc(2026, 11, 1, 0)


def test_new_york_winter_and_summer_offsets_differ():
    assert local_due_instant(date(2026, 1, 15), time(9), "America/New_York") == utc(
        2026, 1, 15, 14)
    assert local_due_instant(date(2026, 7, 15), time(9), "America/New_York") == utc(
        2026, 7, 15, 13)


def test_skipped_new_york_time_is_sent_at_first_valid_minute_after():
    assert not wall_time_exists(date(2026, 3, 8), time(2, 30), "America/New_York")
    # 03:00 EDT is 07:00 UTC.
    assert local_due_instant(date(2026, 3, 8), time(2, 30), "America/New_York") == utc(
        2026, 3, 8, 7)


def test_repeated_new_york_time_is_taken_at_first_occurrence():
    # 01:30 EDT (UTC-4), not 01:30 EST an hour later.
    assert local_due_instant(date(2026, 11, 1), time(1, 30), "America/New_York") == utc(
        2026, 11, 1, 5, 30)


def test_skipped_london_time_is_sent_at_first_valid_minute_after():
    assert not wall_time_exists(date(2026, 3, 29), time(1, 30), "Europe/London")
    # 02:00 BST is 01:00 UTC.
    assert local_due_instant(date(2026, 3, 29), time(1, 30), "Europe/London") == utc(
        2026, 3, 29, 1)


def test_repeated_london_time_is_taken_at_first_occurrence():
    assert local_due_instant(date(2026, 10, 25), time(1, 30), "Europe/London") == utc(
        2026, 10, 25, 0, 30)


def test_ordinary_times_on_change_days_keep_their_new_offset():
    assert local_due_instant(date(2026, 3, 8), time(9), "America/New_York") == utc(
        2026, 3, 8, 13)
    assert local_due_instant(date(2026, 10, 25), time(9), "Europe/London") == utc(
        2026, 10, 25, 9)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [(time(20, 59), False), (time(21), True), (time(23, 59), True), (time(0), True),
     (time(7, 59), True), (time(8), False), (time(12), False)],
)
def test_quiet_hours_wrap_midnight_and_end_is_exclusive(moment, quiet):
    assert in_quiet_hours(moment, time(21), time(8)) is quiet


def test_quiet_hours_within_one_day_and_empty_quiet_hours():
    assert in_quiet_hours(time(14), time(13), time(15))
    assert not in_quiet_hours(time(16), time(13), time(15))
    assert not in_quiet_hours(time(3), time(8), time(8))


def test_early_morning_reminder_moves_to_end_of_quiet_hours():
    assert reminder_local_time(time(6, 30), time(21), time(8)) == time(8)


def test_late_evening_reminder_moves_to_end_of_quiet_hours_of_its_own_day():
    day_plan = plan(date(2026, 5, 4), time(22), "Asia/Seoul")
    assert day_plan.reminder_at == utc(2026, 5, 3, 23)  # 08:00 KST on the 4th


def test_reminder_outside_quiet_hours_keeps_its_time():
    assert reminder_local_time(time(9), time(21), time(8)) == time(9)


def test_follow_up_comes_two_hours_after_reminder():
    day_plan = plan(date(2026, 5, 4), time(9), "Asia/Seoul")
    assert day_plan.reminder_at == utc(2026, 5, 4, 0)
    assert day_plan.follow_up_at == utc(2026, 5, 4, 2)
    assert day_plan.follow_up_expires_at == utc(2026, 5, 4, 4)


def test_follow_up_that_would_fall_in_quiet_hours_is_dropped():
    day_plan = plan(date(2026, 5, 4), time(19, 30), "Asia/Seoul")
    assert day_plan.reminder_at == utc(2026, 5, 4, 10, 30)
    assert day_plan.follow_up_at is None
    assert day_plan.follow_up_expires_at is None


def test_follow_up_that_would_fall_on_the_next_day_is_dropped():
    day_plan = plan(date(2026, 5, 4), time(23), "Asia/Seoul", quiet_start=time(0),
                    quiet_end=time(0))
    assert day_plan.reminder_at == utc(2026, 5, 4, 14)
    assert day_plan.follow_up_at is None


def test_reminder_stops_being_sent_when_quiet_hours_begin():
    # Due 20:00 KST: two hours later would be 22:00, inside quiet hours.
    assert stop_sending_at(utc(2026, 5, 4, 11), TWO_HOURS, "Asia/Seoul", time(21),
                           time(8)) == utc(2026, 5, 4, 12)


def test_reminder_stops_being_sent_at_end_of_its_day_without_quiet_hours():
    assert stop_sending_at(utc(2026, 5, 4, 14), TWO_HOURS, "Asia/Seoul", time(0),
                           time(0)) == utc(2026, 5, 4, 15)


def test_reminder_otherwise_expires_after_the_study_interval():
    assert stop_sending_at(utc(2026, 5, 4, 0), TWO_HOURS, "Asia/Seoul", time(21),
                           time(8)) == utc(2026, 5, 4, 2)


def test_new_york_spring_day_follow_up_is_two_real_hours_after_reminder():
    day_plan = plan(date(2026, 3, 8), time(9), "America/New_York")
    assert day_plan.reminder_at == utc(2026, 3, 8, 13)
    assert day_plan.follow_up_at == utc(2026, 3, 8, 15)


def test_reminder_in_new_york_gap_is_also_moved_out_of_quiet_hours():
    day_plan = plan(date(2026, 3, 8), time(2, 30), "America/New_York")
    assert day_plan.reminder_at == utc(2026, 3, 8, 12)  # 08:00 EDT


def test_reminder_in_gap_without_quiet_hours_goes_at_gap_end():
    day_plan = plan(date(2026, 3, 29), time(1, 30), "Europe/London", quiet_start=time(0),
                    quiet_end=time(0))
    assert day_plan.reminder_at == utc(2026, 3, 29, 1)
    assert day_plan.follow_up_at == utc(2026, 3, 29, 3)


def test_repeated_time_without_quiet_hours_is_planned_once_at_first_occurrence():
    day_plan = plan(date(2026, 11, 1), time(1, 30), "America/New_York", quiet_start=time(0),
                    quiet_end=time(0))
    assert day_plan.reminder_at == utc(2026, 11, 1, 5, 30)


def _after_sent(sent_at, planned_at, day=date(2026, 5, 4)):
    from diary.rules.reminders import follow_up_after_sent

    return follow_up_after_sent(day, sent_at, planned_at, "Asia/Seoul", **QUIET,
                                follow_up_after=TWO_HOURS, expire_after=TWO_HOURS)


def test_follow_up_after_an_on_time_reminder_keeps_its_planned_time():
    # 09:00 reminder left at 09:00; follow-up planned 11:00 Seoul.
    assert _after_sent(utc(2026, 5, 4, 0), utc(2026, 5, 4, 2)) == (
        utc(2026, 5, 4, 2), utc(2026, 5, 4, 4))


def test_follow_up_after_a_late_reminder_waits_its_interval_from_the_real_send():
    # The reminder left at 10:45 Seoul: the follow-up goes at 12:45, not 11:00.
    due_at, _ = _after_sent(utc(2026, 5, 4, 1, 45), utc(2026, 5, 4, 2))
    assert due_at == utc(2026, 5, 4, 3, 45)


def test_follow_up_that_would_land_in_quiet_hours_is_dropped():
    # An 18:00 reminder that left at 19:30: 21:30 is inside quiet hours (21:00-08:00).
    assert _after_sent(utc(2026, 5, 4, 10, 30), utc(2026, 5, 4, 11)) is None


def test_follow_up_that_would_land_on_the_next_day_is_dropped():
    no_quiet = {"quiet_start": time(0), "quiet_end": time(0)}
    from diary.rules.reminders import follow_up_after_sent

    assert follow_up_after_sent(date(2026, 5, 4), utc(2026, 5, 4, 13), utc(2026, 5, 4, 12),
                                "Asia/Seoul", **no_quiet, follow_up_after=TWO_HOURS,
                                expire_after=TWO_HOURS) is None
