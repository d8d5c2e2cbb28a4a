"""Run the ``diary`` command as a real process, read what it prints, wait for it to answer."""

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
# Generous: a slow machine starting Python and gunicorn; the tests never assert a duration.
PATIENCE = 60.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def diary_env(database: Path, **settings: str) -> dict:
    """Return an environment running the service on a SQLite file of its own."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TWILIO_", "DIARY_", "TEST_DATABASE"))}
    return env | {"DATABASE_URL": f"sqlite:///{database}", "PYTHONUNBUFFERED": "1",
                  "DIARY_LOG_LEVEL": "INFO"} | settings


def diary(*args: str, env: dict) -> subprocess.CompletedProcess:
    """Run a ``diary`` sub-command to its end and return what it printed."""
    return subprocess.run([sys.executable, "-m", "diary", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=PATIENCE, check=False)


class Process:
    """A ``diary`` sub-command running in the background, its output read line by line."""

    def __init__(self, *args: str, env: dict):
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "diary", *args], env=env, cwd=ROOT, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()

    def _pump(self) -> None:
        for line in self.popen.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, text: str) -> str:
        """Return the first line (from now on) containing ``text``; fail after PATIENCE."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.popen.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"never printed {text!r}; printed:\n" + "\n".join(self.seen))

    def interrupt(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum`` (Ctrl-C by default) and return the exit status."""
        self.popen.send_signal(signum)
        return self.popen.wait(timeout=PATIENCE)

    def stop(self) -> None:
        """Make sure the process is gone (after a failed test), letting it stop its children."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=PATIENCE)
        # Children that inherited the pipe may hold it open a moment longer.
        self._pump_thread.join(timeout=PATIENCE)
        self.popen.stdout.close()


def wait_until_answering(url: str) -> requests.Response:
    """Poll ``url`` until it answers 200; fail after PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except requests.RequestException:
            pass  # not listening yet, or no worker booted to answer
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")
