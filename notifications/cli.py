"""The ``diary scheduler`` and ``diary serve`` commands."""

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


@click.command("scheduler")
def scheduler_command():
    """Run the periodic jobs (reminders, outbox, escalation); one process leads, others wait."""
    from notifications.scheduler import run_scheduler

    _exit_on_sigterm()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            run_scheduler(current_app._get_current_object())
    finally:
        log.info("scheduler exited")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True,
              help="Also run the scheduler in this process (one machine).")
def serve_command(host: str, port: int, with_scheduler: bool):
    """Serve the web app and, beside it, the scheduler: the whole service on one machine."""
    from notifications.scheduler import run_scheduler

    app = current_app._get_current_object()
    stop = threading.Event()
    if with_scheduler:
        threading.Thread(target=run_scheduler, args=(app,), kwargs={"stop": stop},
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
