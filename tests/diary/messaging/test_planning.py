"""Reminder planning: who gets which texts, when, and only once."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from diary.extensions import db
from diary.messaging.outbox import cancel_day_reminders, enqueue
from diary.messaging.planning import plan_reminders, reminder_key
from diary.messaging.templates import render
from diary.models import DoseHold, Message
from diary.models.message import CANCELLED, PENDING
from tests import factories


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def messages(participant=None) -> list[Message]:
    query = select(Message).order_by(Message.due_at, Message.kind)
    if participant is not None:
        query = query.where(Message.participant_id == participant.id)
    return list(db.session.execute(query).scalars())


def planned(participant) -> list[tuple[str, date, datetime]]:
    return [(m.kind, m.local_date, m.due_at) for m in messages(participant)]


def log_dose(participant, day: date) -> None:
    """Write a day's dose entry, then cancel its texts as the dose diary does."""
    factories.make_dose(participant, day)
    cancel_day_reminders(participant.id, day)
    db.session.commit()


def enrol(**options):
    options.setdefault("enrolled", "2026-01-05")
    return factories.make_participant(**options)


# 07:00 in Seoul on 4 May 2026.
SEOUL_MORNING = utc(2026, 5, 3, 22)


def test_participant_gets_reminder_and_follow_up_at_local_time(app_context):
    participant = enrol(tz="Asia/Seoul", reminder_time="09:00")
    assert plan_reminders(SEOUL_MORNING) == 2
    reminder, follow_up = messages(participant)
    assert (reminder.kind, reminder.due_at, reminder.expires_at) == (
        "reminder", utc(2026, 5, 4, 0), utc(2026, 5, 4, 2))
    assert (follow_up.kind, follow_up.due_at, follow_up.expires_at) == (
        "follow_up", utc(2026, 5, 4, 2), utc(2026, 5, 4, 4))
    assert reminder.dedupe_key == f"reminder:{participant.id}:2026-05-04"
    assert follow_up.dedupe_key == reminder_key("follow_up", participant.id, date(2026, 5, 4))
    assert {m.status for m in (reminder, follow_up)} == {PENDING}
    assert reminder.next_attempt_at == reminder.due_at
    assert reminder.local_date == date(2026, 5, 4)


def test_texts_come_from_the_participants_locale(app_context, study):
    korean = enrol(locale="ko")
    english = enrol(locale="en")
    plan_reminders(SEOUL_MORNING)
    assert [m.body for m in messages(korean)] == [
        render(study, "ko", "reminder"), render(study, "ko", "follow_up")]
    assert [m.body for m in messages(english)] == [
        render(study, "en", "reminder"), render(study, "en", "follow_up")]


def test_participants_in_different_zones_each_get_their_own_nine_oclock(app_context):
    seoul = enrol(tz="Asia/Seoul")
    new_york = enrol(tz="America/New_York")
    london = enrol(tz="Europe/London")
    # 00:00 UTC on 4 May: 09:00 in Seoul; still 3 May evening in New York.
    plan_reminders(utc(2026, 5, 4, 0))
    assert planned(seoul)[0] == ("reminder", date(2026, 5, 4), utc(2026, 5, 4, 0))
    assert planned(london)[0] == ("reminder", date(2026, 5, 4), utc(2026, 5, 4, 8))
    assert planned(new_york)[0] == ("reminder", date(2026, 5, 4), utc(2026, 5, 4, 13))


def test_new_york_spring_forward_day_moves_the_utc_instant(app_context):
    participant = enrol(tz="America/New_York")
    plan_reminders(utc(2026, 3, 7, 23))  # after the 7th's texts expired
    assert planned(participant) == [
        ("reminder", date(2026, 3, 8), utc(2026, 3, 8, 13)),
        ("follow_up", date(2026, 3, 8), utc(2026, 3, 8, 15)),
    ]


def test_london_fall_back_day_moves_the_utc_instant(app_context):
    participant = enrol(tz="Europe/London")
    plan_reminders(utc(2026, 10, 24, 12))  # after the 24th's texts expired
    assert planned(participant) == [
        ("reminder", date(2026, 10, 25), utc(2026, 10, 25, 9)),
        ("follow_up", date(2026, 10, 25), utc(2026, 10, 25, 11)),
    ]


def test_reminder_in_a_skipped_hour_is_sent_when_the_clock_resumes(app_context, study):
    study.quiet_start = study.quiet_end = time(0)  # no quiet hours, to reach 02:30
    participant = enrol(tz="America/New_York", reminder_time="02:30")
    plan_reminders(utc(2026, 3, 8, 5))  # 00:00 EST
    assert planned(participant)[0] == ("reminder", date(2026, 3, 8), utc(2026, 3, 8, 7))


def test_reminder_in_a_repeated_hour_is_planned_once(app_context, study):
    study.quiet_start = study.quiet_end = time(0)
    participant = enrol(tz="America/New_York", reminder_time="01:30")
    plan_reminders(utc(2026, 11, 1, 4))  # 00:00 EDT
    plan_reminders(utc(2026, 11, 1, 6))  # 01:00 EST, the hour again
    reminders = [row for row in planned(participant) if row[1] == date(2026, 11, 1)]
    assert reminders == [
        ("reminder", date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
        ("follow_up", date(2026, 11, 1), utc(2026, 11, 1, 7, 30)),
    ]


def test_reminder_in_quiet_hours_moves_to_their_end_that_day(app_context):
    participant = enrol(tz="Asia/Seoul", reminder_time="06:00")
    plan_reminders(utc(2026, 5, 3, 20))  # 05:00 KST
    assert planned(participant) == [
        ("reminder", date(2026, 5, 4), utc(2026, 5, 3, 23)),  # 08:00 KST
        ("follow_up", date(2026, 5, 4), utc(2026, 5, 4, 1)),  # 10:00 KST
    ]


def test_follow_up_in_quiet_hours_is_not_planned(app_context):
    participant = enrol(tz="Asia/Seoul", reminder_time="20:00")
    plan_reminders(utc(2026, 5, 4, 3))  # 12:00 KST
    assert planned(participant) == [("reminder", date(2026, 5, 4), utc(2026, 5, 4, 11))]
    # It stops being worth sending when quiet hours begin, not two hours later.
    assert messages(participant)[0].expires_at == utc(2026, 5, 4, 12)


def test_expired_reminder_is_not_planned_but_its_follow_up_is(app_context):
    participant = enrol(tz="Asia/Seoul", reminder_time="09:00")
    plan_reminders(utc(2026, 5, 4, 3))  # 12:00 KST: the reminder went stale at 11:00
    today = [row for row in planned(participant) if row[1] == date(2026, 5, 4)]
    assert today == [("follow_up", date(2026, 5, 4), utc(2026, 5, 4, 2))]


def test_only_days_due_within_the_horizon_are_planned(app_context):
    participant = enrol(tz="Asia/Seoul", reminder_time="09:00")
    plan_reminders(utc(2026, 5, 4, 3), horizon=timedelta(hours=21))
    assert [(kind, day) for kind, day, _ in planned(participant)] == [
        ("follow_up", date(2026, 5, 4)), ("reminder", date(2026, 5, 5))]


def test_day_with_an_entry_gets_no_reminder(app_context):
    participant = enrol(tz="Asia/Seoul")
    log_dose(participant, date(2026, 5, 4))
    assert plan_reminders(SEOUL_MORNING) == 0
    assert messages(participant) == []


def test_logging_a_dose_cancels_the_days_reminder_and_follow_up(app_context):
    participant = enrol(tz="Asia/Seoul")
    plan_reminders(utc(2026, 5, 4, 3))
    plan_reminders(SEOUL_MORNING)
    log_dose(participant, date(2026, 5, 4))
    statuses = {(m.kind, m.local_date): m.status for m in messages(participant)}
    assert statuses[("reminder", date(2026, 5, 4))] == CANCELLED
    assert statuses[("follow_up", date(2026, 5, 4))] == CANCELLED
    # Tomorrow is untouched, and planning again does not bring today's texts back.
    assert statuses[("reminder", date(2026, 5, 5))] == PENDING
    assert plan_reminders(utc(2026, 5, 4, 1)) == 0


def test_dose_logged_after_the_reminder_stops_the_follow_up(app_context):
    participant = enrol(tz="Asia/Seoul")
    plan_reminders(SEOUL_MORNING)
    with time_machine.travel(utc(2026, 5, 4, 0, 30), tick=False):
        log_dose(participant, date(2026, 5, 4))
    follow_up = next(m for m in messages(participant) if m.kind == "follow_up")
    assert follow_up.status == CANCELLED
    assert follow_up.updated_at == utc(2026, 5, 4, 0, 30)


def test_held_day_gets_no_reminder(app_context):
    participant = enrol(tz="Asia/Seoul")
    staff = factories.make_staff()
    db.session.add(DoseHold(participant_id=participant.id, start_date=date(2026, 5, 4),
                            end_date=date(2026, 5, 4), reason="Held by investigator",
                            created_by_staff_id=staff.id, created_at=utc(2026, 5, 1)))
    db.session.commit()
    assert plan_reminders(SEOUL_MORNING) == 0


def test_no_reminder_before_enrolment(app_context):
    participant = enrol(enrolled="2026-05-05")
    plan_reminders(utc(2026, 5, 4, 3))
    assert {day for _, day, _ in planned(participant)} == {date(2026, 5, 5)}


def test_planning_twice_adds_nothing_the_second_time(app_context):
    enrol()
    enrol(tz="Europe/London")
    first = plan_reminders(SEOUL_MORNING)
    keys = [m.dedupe_key for m in messages()]
    assert first == 4
    assert plan_reminders(SEOUL_MORNING) == 0
    assert plan_reminders(SEOUL_MORNING + timedelta(minutes=5)) == 0
    assert [m.dedupe_key for m in messages()] == keys


def test_row_queued_by_another_planner_meanwhile_is_not_duplicated(app_context):
    participant = enrol()
    # Another planner got the reminder in first: same key, different row.
    enqueue(kind="reminder", body="x", participant_id=participant.id,
            due_at=utc(2026, 5, 4, 0), dedupe_key=f"reminder:{participant.id}:2026-05-04",
            local_date=date(2026, 5, 4))
    db.session.commit()
    assert plan_reminders(SEOUL_MORNING) == 1
    assert [m.kind for m in messages(participant)] == ["reminder", "follow_up"]


@pytest.mark.parametrize(
    "options",
    [
        {"status": "withdrawn"},
        {"status": "completed"},
        {"sms_consent": False},
        {"phone": None},
    ],
    ids=["withdrawn", "completed", "no-consent", "no-phone"],
)
def test_ineligible_participant_gets_no_reminder(app_context, options):
    participant = enrol(**options)
    assert plan_reminders(SEOUL_MORNING) == 0
    assert messages(participant) == []


@pytest.mark.parametrize("field", ["sms_opted_out_at", "phone_unreachable_at"])
def test_opted_out_or_unreachable_participant_gets_no_reminder(app_context, field):
    participant = enrol()
    setattr(participant, field, utc(2026, 5, 1))
    db.session.commit()
    assert plan_reminders(SEOUL_MORNING) == 0
    assert messages(participant) == []


def test_concurrent_planners_queue_each_text_once(committed_app):
    with committed_app.app_context():
        for _ in range(5):
            enrol()
        db.session.remove()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def plan():
        try:
            with committed_app.app_context():
                barrier.wait()
                results.append(plan_reminders(SEOUL_MORNING))
        except Exception as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 10
    with committed_app.app_context():
        assert db.session.scalar(select(func.count(Message.id))) == 10
        db.session.remove()
