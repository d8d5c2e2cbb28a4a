"""The ``diary scheduler`` and ``diary serve`` commands, made for a list of jobs.

The list is the composition root's (``diary.jobs``): this package runs jobs, it does not
decide which.
"""

import contextlib
import logging
import signal
import threading

import click
from flask import current_app
from werkzeug.serving import run_simple

log = logging.getLogger(__name__)


def _exit_on_sigterm() -> None:
    # A supervisor's SIGTERM unwinds like Ctrl-C: jobs stop, the leader lock is released.
    def handler(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handler)


def scheduler_command(jobs) -> click.Command:
    """Return the ``scheduler`` command, running ``jobs``."""

    @click.command("scheduler")
    def scheduler():
        """Run the periodic jobs (reminders, outbox, escalation); one process leads."""
        from notifications.scheduler import run_scheduler

        _exit_on_sigterm()
        try:
            with contextlib.suppress(KeyboardInterrupt):
                run_scheduler(current_app._get_current_object(), jobs=jobs)
        finally:
            log.info("scheduler exited")

    return scheduler


def serve_command(jobs) -> click.Command:
    """Return the ``serve`` command, running ``jobs`` beside the web app."""

    @click.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on.")
    @click.option("--port", default=8000, show_default=True, type=int,
                  help="Port to listen on.")
    @click.option("--scheduler/--no-scheduler", "with_scheduler", default=True,
                  show_default=True, help="Also run the scheduler in this process.")
    def serve(host: str, port: int, with_scheduler: bool):
        """Serve the web app and, beside it, the scheduler: the whole service on one machine."""
        _serve(current_app._get_current_object(), jobs, host, port, with_scheduler)

    return serve


def _serve(app, jobs, host: str, port: int, with_scheduler: bool) -> None:
    from notifications.scheduler import run_scheduler

    stop = threading.Event()
    if with_scheduler:
        threading.Thread(target=run_scheduler, args=(app,), kwargs={"stop": stop, "jobs": jobs},
                         name="diary-scheduler", daemon=True).start()
    _exit_on_sigterm()
    log.info("diary serve: listening on http://%s:%d (scheduler %s)", host, port,
             "on" if with_scheduler else "off")
    try:
        # Flask's app.run refuses to start under its own CLI; werkzeug's server is what it runs.
        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
