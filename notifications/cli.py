"""The ``diary scheduler`` and ``diary serve`` commands, and the rehearsal commands.

``diary fake-twilio`` and ``diary sms receive`` let one machine play both sides of the
SMS path: the texts the service sends, and the answers participants text back.
"""

import contextlib
import logging
import signal
import sys
import threading

import click
from flask import current_app

from diary.clock import utcnow

log = logging.getLogger(__name__)
# Where `make run` serves; the rehearsal's inbound texts go there unless told otherwise.
DEFAULT_SERVICE_URL = "http://127.0.0.1:8000"


def _exit_on_sigterm() -> None:
    # A supervisor's SIGTERM unwinds like Ctrl-C: jobs stop, the leader lock is released.
    def handler(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, handler)


def scheduler_command(jobs) -> click.Command:
    """Return the ``scheduler`` command, running ``jobs`` (the composition root's list)."""

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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="gunicorn worker processes.")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True,
              help="Also run the scheduler, as a process of its own.")
def serve_command(host: str, port: int, workers: int, with_scheduler: bool):
    """Run the web app under gunicorn and the scheduler beside it; Ctrl-C stops both."""
    from diary.supervisor import supervise

    commands = {"web": [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
                        "--workers", str(workers), "wsgi:app"]}
    if with_scheduler:
        commands["scheduler"] = [sys.executable, "-m", "diary", "scheduler"]
    log.info("diary serve: web on http://%s:%d, scheduler %s", host, port,
             "beside it" if with_scheduler else "off")
    raise SystemExit(supervise(commands))


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
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stopped.set())
    try:
        fake.start(port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on port {port}: {exc.strerror}") from exc
    try:
        click.echo(f"fake Twilio listening on {fake.base_url} (any account and token); "
                   f"point the service at it with TWILIO_API_BASE_URL={fake.base_url}. "
                   "Ctrl-C stops it.")
        # Not signal.pause(): a signal that lands after the last check and before pause()
        # blocks is spent, and pause() then waits for another one (CI saw it hang a
        # minute). Short waits let the handlers run between them instead.
        while not stopped.wait(0.2):
            pass
    finally:
        fake.stop()


@click.group("sms")
def sms_cli():
    """Rehearse the SMS path against a running service."""


@sms_cli.command("receive")
@click.option("--from", "sender", required=True, metavar="NUMBER",
              help="The number the text comes from (a participant's, a coordinator's).")
@click.option("--url", default=DEFAULT_SERVICE_URL, show_default=True,
              help="The running service's address.")
@click.argument("text")
def sms_receive_command(sender: str, url: str, text: str):
    """Post TEXT from NUMBER to the service's SMS webhook, signed as Twilio signs it.

    The signature uses TWILIO_AUTH_TOKEN over DIARY_PUBLIC_BASE_URL (else --url): run it
    with the same settings as the service.
    """
    import requests

    from notifications.rehearsal import post_inbound_sms

    try:
        response = post_inbound_sms(current_app.config, url, sender, text)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    except requests.RequestException as exc:
        raise click.ClickException(
            f"nothing answered at {url}: is the service running? ({type(exc).__name__})"
        ) from exc
    click.echo(f"{response.status_code} {response.reason}")
    if not response.ok:
        click.echo(_error_message(response))
        raise SystemExit(1)


def _error_message(response) -> str:
    try:
        return str(response.json().get("message", ""))
    except ValueError:
        return response.text[:200]
