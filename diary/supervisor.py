"""Run a few child processes as one service: start them all, stop them all together.

``diary serve`` runs gunicorn and the scheduler this way on one machine. Each child gets
its own process group, so a Ctrl-C reaches it once, forwarded by us, and it stops as it
would under systemd. When one child ends on its own, the others are stopped too: half a
service (a web app whose texts never leave) must not look like a running one.
"""

import logging
import signal
import subprocess
import threading

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# gunicorn's own graceful timeout is 30 s; beyond that a child is killed.
GRACE_SECONDS = 35.0
_POLL_SECONDS = 0.2


def supervise(commands: dict[str, list[str]], *, grace_seconds: float = GRACE_SECONDS) -> int:
    """Run ``commands`` (name: argv) until a signal or until one exits; return an exit status."""
    stop, received = threading.Event(), []

    def on_signal(signum, _frame):
        received.append(signum)
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    children: dict[str, subprocess.Popen] = {}
    ended = None
    try:
        for name, argv in commands.items():
            children[name] = subprocess.Popen(argv, process_group=0)  # noqa: S603 - our argv
            log.info("started %s pid=%d", name, children[name].pid)
        ended = _first_to_exit(children, stop)
    finally:
        _stop_all(children, _forwarded(received), grace_seconds)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if ended is None:
        return 0
    name, status = ended
    log.error("%s exited with status %s: stopped the others", name, status)
    return status or 1


def _forwarded(received: list[int]) -> int:
    # Ctrl-C asks gunicorn for its quick shutdown; anything else for the graceful one.
    return signal.SIGINT if received[:1] == [signal.SIGINT] else signal.SIGTERM


def _first_to_exit(children: dict[str, subprocess.Popen],
                   stop: threading.Event) -> tuple[str, int] | None:
    while not stop.wait(_POLL_SECONDS):
        for name, child in children.items():
            if child.poll() is not None:
                return name, child.returncode
    return None


def _stop_all(children: dict[str, subprocess.Popen], signum: int, grace_seconds: float) -> None:
    running = {name: child for name, child in children.items() if child.poll() is None}
    for child in running.values():
        child.send_signal(signum)
    for name, child in running.items():
        try:
            child.wait(timeout=grace_seconds)
        except subprocess.TimeoutExpired:
            log.error("%s did not stop within %ss: killed", name, grace_seconds)
            child.kill()
            child.wait()
        log.info("%s stopped (status %s)", name, child.returncode)
