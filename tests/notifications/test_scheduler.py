"""The scheduler: jobs as data, thin wrappers, one leader, never inside web workers."""

import logging
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from diary.extensions import db
from diary.jobs import JOBS
from diary.models import Message
from notifications import leader, scheduler
from notifications.leader import FileLeaderLock, PostgresLeaderLock, leader_lock
from notifications.scheduler import Job, build_scheduler, run_job, run_scheduler
from tests import factories
from tests.conftest import make_test_app

CALLS: list = []
NOW = datetime(2026, 5, 3, 22, 0, tzinfo=UTC)


def record_call(now):
    """A job target that remembers the instant it was given."""
    CALLS.append(now)
    return {"sent": 3, "failed": 1, "body": "secret text", "to": "+821012345678", "ok": True}


def explode(now):
    raise RuntimeError("could not text +821055556666")


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


def job(target: str, name: str = "probe") -> Job:
    return Job(name, f"{__name__}:{target}", 60)


def test_jobs_cover_planning_outbox_escalation_reports_and_adherence():
    assert {j.name: j.target for j in JOBS} == {
        "plan_reminders": "diary.messaging.planning:plan_reminders",
        "dispatch_outbox": "notifications.dispatch:dispatch_due",
        "escalate_alerts": "diary.operations.alerts:escalate_due_alerts",
        "report_overdue": "diary.operations.serious_events:text_overdue_reports",
        "check_adherence": "diary.operations.adherence_gaps:check_adherence_gaps",
        "check_low_adherence": "diary.operations.low_adherence:check_low_adherence",
    }
    intervals = {j.name: j.seconds for j in JOBS}
    assert intervals["plan_reminders"] == 300
    assert 15 <= intervals["dispatch_outbox"] <= 30
    assert intervals["escalate_alerts"] == intervals["report_overdue"] == 60


def test_job_wrapper_passes_now_and_logs_counts_only(app, caplog):
    caplog.set_level(logging.INFO, logger="notifications.scheduler")
    with time_machine.travel(NOW, tick=False):
        assert run_job(app, job("record_call")) is True
    assert CALLS == [NOW]
    [line] = [r.getMessage() for r in caplog.records if r.name == "notifications.scheduler"]
    assert line.startswith("job=probe outcome=ok sent=3 failed=1 duration_ms=")
    assert "secret" not in line and "+82" not in line


@pytest.mark.parametrize("name", [j.name for j in JOBS])
def test_each_real_job_run_logs_exactly_one_line(app, app_context, caplog, name):
    factories.make_participant(enrolled="2026-01-05", phone="+821055501234")
    # Someone to text: an alert that texts nobody says so in a line of its own.
    factories.make_staff("coordinator", phone="+821099990000")
    caplog.set_level(logging.INFO)
    with time_machine.travel(NOW, tick=False):
        assert run_job(app, next(j for j in JOBS if j.name == name)) is True

    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"job={name} outcome=ok")
    assert "duration_ms=" in lines[0]
    assert "+8210" not in lines[0]


def test_failing_job_is_logged_without_its_message_and_does_not_raise(app, caplog):
    caplog.set_level(logging.INFO, logger="notifications.scheduler")
    assert run_job(app, job("explode")) is False
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any("job=probe outcome=error error=RuntimeError" in m for m in messages)
    assert not any("+82" in m for m in messages)


def test_missing_job_target_is_an_error_run_not_a_crash(app):
    assert run_job(app, job("nowhere")) is False


def test_plan_reminders_job_plans_rows(app, app_context):
    participant = factories.make_participant(enrolled="2026-01-05")
    plan_job = next(j for j in JOBS if j.name == "plan_reminders")
    with time_machine.travel(NOW, tick=False):
        assert run_job(app, plan_job) is True
    kinds = db.session.execute(
        select(Message.kind).where(Message.participant_id == participant.id)).scalars()
    assert sorted(kinds) == ["follow_up", "reminder"]


def test_escalation_job_calls_the_plain_function(app, monkeypatch):
    from diary.operations import alerts

    seen = []
    monkeypatch.setattr(alerts, "escalate_due_alerts", lambda now: seen.append(now) or 2)
    escalate = next(j for j in JOBS if j.name == "escalate_alerts")
    with time_machine.travel(NOW, tick=False):
        assert run_job(app, escalate) is True
    assert seen == [NOW]


def test_dispatch_job_calls_the_plain_function(app, monkeypatch):
    from notifications import dispatch

    seen = []
    monkeypatch.setattr(dispatch, "dispatch_due", lambda now: seen.append(now) or 0)
    dispatch_job = next(j for j in JOBS if j.name == "dispatch_outbox")
    with time_machine.travel(NOW, tick=False):
        assert run_job(app, dispatch_job) is True
    assert seen == [NOW]


def test_scheduler_has_one_interval_job_each_never_overlapping(app, caplog):
    caplog.set_level(logging.INFO, logger="notifications.scheduler")
    jobs = (job("record_call", "a"), job("nowhere", "b"), Job("c", f"{__name__}:explode", 5))
    built = build_scheduler(app, jobs, scheduler_class=BackgroundScheduler)
    scheduled = {j.id: j for j in built.get_jobs()}
    assert set(scheduled) == {"a", "c"}
    assert "job=b skipped" in caplog.text
    for entry in scheduled.values():
        assert isinstance(entry.trigger, IntervalTrigger)
        assert entry.max_instances == 1
        assert entry.coalesce is True
        assert entry.misfire_grace_time == scheduler.MISFIRE_GRACE_SECONDS
    assert scheduled["c"].trigger.interval.total_seconds() == 5
    assert str(built.timezone) == "UTC"
    # The real process blocks in its own loop (started only by diary scheduler/serve).
    assert isinstance(build_scheduler(app, JOBS), BlockingScheduler)


def test_creating_the_app_starts_no_scheduler(database_url):
    before = set(threading.enumerate())
    make_test_app(database_url)
    started = set(threading.enumerate()) - before
    assert started == set()


def test_scheduler_runs_jobs_while_leading_and_stops(app, tmp_path, monkeypatch):
    monkeypatch.setattr(leader, "leader_lock", lambda _app: FileLeaderLock(tmp_path / "l"))
    monkeypatch.setattr(scheduler, "leader_lock", lambda _app: FileLeaderLock(tmp_path / "l"))
    stop = threading.Event()
    ran = threading.Event()
    monkeypatch.setattr(scheduler, "run_job", lambda _app, _job: ran.set())
    thread = threading.Thread(target=run_scheduler, args=(app,),
                              kwargs={"jobs": (job("record_call"),), "stop": stop,
                                      "check_seconds": 0.05})
    thread.start()
    assert ran.wait(10)
    # While it leads, nobody else can.
    assert FileLeaderLock(tmp_path / "l").acquire() is False
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    other = FileLeaderLock(tmp_path / "l")
    assert other.acquire() is True
    other.release()


def test_second_scheduler_waits_as_standby(app, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="notifications.scheduler")
    holder = FileLeaderLock(tmp_path / "l")
    assert holder.acquire()
    monkeypatch.setattr(scheduler, "leader_lock", lambda _app: FileLeaderLock(tmp_path / "l"))
    monkeypatch.setattr(scheduler, "run_job", lambda *_: pytest.fail("a standby ran a job"))
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(app,),
                              kwargs={"jobs": (job("record_call"),), "stop": stop,
                                      "retry_seconds": 0.01})
    thread.start()
    try:
        for _ in range(500):
            if caplog.text.count("scheduler standby") >= 2:
                break
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join(10)
        holder.release()
    assert caplog.text.count("scheduler standby") >= 2
    assert "scheduler leader" not in caplog.text


def test_file_lock_elects_one_leader(tmp_path):
    first, second = FileLeaderLock(tmp_path / "db.lock"), FileLeaderLock(tmp_path / "db.lock")
    assert first.acquire() is True
    assert second.acquire() is False
    first.release()
    assert second.acquire() is True
    assert second.still_held()
    second.release()


def test_sqlite_lock_file_sits_next_to_the_database(tmp_path):
    uri = f"sqlite:///{tmp_path / 'diary.sqlite3'}"
    assert leader.sqlite_lock_path(uri) == tmp_path / "diary.sqlite3.scheduler.lock"


def test_postgres_advisory_lock_elects_one_leader(committed_app):
    with committed_app.app_context():
        first, second = leader_lock(committed_app), leader_lock(committed_app)
        assert isinstance(first, PostgresLeaderLock)
        try:
            assert first.acquire() is True
            assert first.still_held()
            assert second.acquire() is False
            assert not second.still_held()
            first.release()
            assert second.acquire() is True
            assert first.acquire() is False
        finally:
            first.release()
            second.release()


def test_diary_command_has_scheduler_and_serve(app):
    runner = app.test_cli_runner()
    for command in ("scheduler", "serve"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0, result.output
    assert "--port" in runner.invoke(args=["serve", "--help"]).output


def test_make_run_serves_web_and_scheduler():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "diary serve" in recipe
    assert "--no-scheduler" not in recipe


def test_make_run_prints_the_site_check_before_serving_without_stopping_on_it():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    check = next(line.strip() for line in recipe.splitlines() if "diary check" in line)
    assert check.startswith("-")  # make goes on when a site would text nobody
    assert recipe.index("diary check") < recipe.index("diary serve")
