"""The ``diary scheduler``, ``diary serve`` and ``diary fake-twilio`` commands."""

import contextlib
import logging
import signal
import threading

import click
from flask import current_app
from werkzeug.serving import run_simple

from diary.clock import utcnow

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


def _print_text(received) -> None:
    # A rehearsal tool's whole point is to show the text: to stdout, never to the logs.
    sender = received.from_ or received.messaging_service_sid
    click.echo(f"{utcnow():%H:%M:%S} UTC text {received.sid} to {received.to} from {sender}:\n"
               f"    {received.body}")


@click.command("fake-twilio")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
def fake_twilio_command(port: int):
    """Run a fake Twilio on 127.0.0.1 that takes any account and prints each text sent."""
    from notifications.fake_twilio import FakeTwilio

    fake = FakeTwilio(any_credentials=True, on_message=_print_text)
    try:
        fake.start(port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on port {port}: {exc.strerror}") from exc
    click.echo(f"fake Twilio listening on {fake.base_url} (any account and token); "
               f"point the service at it with TWILIO_API_BASE_URL={fake.base_url}. "
               "Ctrl-C stops it.")
    _exit_on_sigterm()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                signal.pause()
    finally:
        fake.stop()
