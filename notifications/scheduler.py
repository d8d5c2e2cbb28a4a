"""The scheduler process: periodic jobs, listed as data, run by APScheduler in one process.

Started only by ``diary scheduler`` (or ``diary serve`` on one machine), never by
``create_app``: web workers stay stateless. Two schedulers at once are harmless: a
leader lock elects one (a PostgreSQL session advisory lock, or a file lock next to a
SQLite database); the other waits as a standby. Unique keys protect the rows anyway.
"""

import importlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from diary.clock import utcnow
from diary.tracebacks import scrubbed_traceback
from notifications.leader import LeaderLock, leader_lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job: a plain function ``target(now)`` named as "module:function"."""

    name: str
    target: str
    seconds: float


# The service's own list is the composition root's (diary.jobs.JOBS).
# A run missed by more than this (a busy or paused process) is skipped, not run late;
# coalescing turns a backlog into one run.
MISFIRE_GRACE_SECONDS = 30
JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS}
# How often the leader checks that it still holds the lock (and whether to stop).
LEADERSHIP_CHECK_SECONDS = 15
STANDBY_RETRY_SECONDS = 30


def resolve(job: Job) -> Callable | None:
    """Import a job's function; None when its module or function does not exist (yet)."""
    module_name, _, attribute = job.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, attribute, None)


def summarize(result) -> str:
    """Render a job's result as ``key=value`` counts (numbers only: never a body or number)."""
    if is_dataclass(result) and not isinstance(result, type):
        result = asdict(result)
    if isinstance(result, bool) or result is None:
        return ""
    if isinstance(result, int):
        return f"count={result}"
    if isinstance(result, dict):
        return " ".join(
            f"{key}={value}" for key, value in result.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        )
    return ""


def run_job(app: Flask, job: Job) -> bool:
    """Run a job once in an app context and log one line; say whether it succeeded.

    An exception is logged by its class only (its message may quote a phone number) and
    never reaches APScheduler, so one bad run cannot stop the others.
    """
    started = time.monotonic()
    try:
        with app.app_context():
            function = resolve(job)
            if function is None:
                raise LookupError(f"{job.target} is not available")
            result = function(utcnow())
    except Exception as exc:
        log.error("job=%s outcome=error error=%s duration_ms=%d", job.name,
                  type(exc).__name__, _ms(started))
        log.debug("job=%s traceback\n%s", job.name, scrubbed_traceback(exc))
        return False
    counts = summarize(result)
    log.info("job=%s outcome=ok%s duration_ms=%d", job.name, f" {counts}" if counts else "",
             _ms(started))
    return True


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def build_scheduler(app: Flask, jobs, scheduler_class=BlockingScheduler) -> BaseScheduler:
    """Make a UTC scheduler with every available job; a job whose code is absent is skipped."""
    scheduler = scheduler_class(timezone=UTC, job_defaults=JOB_DEFAULTS)
    for job in jobs:
        if resolve(job) is None:
            log.info("job=%s skipped: %s is not available", job.name, job.target)
            continue
        scheduler.add_job(run_job, "interval", seconds=job.seconds, args=(app, job),
                          id=job.name, name=job.name, next_run_time=utcnow(), **JOB_DEFAULTS)
    return scheduler


def run_scheduler(
    app: Flask,
    *,
    jobs,
    stop: threading.Event | None = None,
    retry_seconds: float = STANDBY_RETRY_SECONDS,
    check_seconds: float = LEADERSHIP_CHECK_SECONDS,
) -> None:
    """Run the jobs while this process leads; as a standby, retry until it may (or ``stop``)."""
    stop = stop or threading.Event()
    # APScheduler logs two lines per run at INFO; ours is the one line that matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    with app.app_context():
        lock = leader_lock(app)
    try:
        while not stop.is_set():
            if not lock.acquire():
                log.info("scheduler standby: another process leads; retry in %ss", retry_seconds)
                stop.wait(retry_seconds)
                continue
            log.info("scheduler leader: starting jobs")
            _lead(app, lock, jobs, stop, check_seconds)
            lock.release()
    finally:
        lock.release()


def _lead(app: Flask, lock: LeaderLock, jobs, stop: threading.Event,
          check_seconds: float) -> None:
    scheduler = build_scheduler(app, jobs)

    def check_leadership():
        if stop.is_set():
            scheduler.shutdown(wait=False)
        elif not lock.still_held():
            log.error("scheduler lost the leader lock: stopping jobs, back to standby")
            scheduler.shutdown(wait=False)

    scheduler.add_job(check_leadership, "interval", seconds=check_seconds, id="leadership",
                      name="leadership")
    try:
        scheduler.start()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    log.info("scheduler stopped")
