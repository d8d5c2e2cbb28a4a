"""Children run as one service: a signal stops them all, one ending stops the rest."""

import os
import signal
import sys
import textwrap

import pytest

from diary.supervisor import supervise


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def _child(tmp_path, name: str, then: str = "") -> list[str]:
    """A child that writes its pid, notes each stop signal it gets, then does ``then``."""
    return _python(f"""
        import os, signal, sys, time
        from pathlib import Path
        def noted(signum, _frame):
            with open({str(tmp_path / (name + '.signals'))!r}, "a") as out:
                out.write(signal.Signals(signum).name + "\\n")
            sys.exit(0)
        signal.signal(signal.SIGINT, noted)
        signal.signal(signal.SIGTERM, noted)
        Path({str(tmp_path / (name + '.pid'))!r}).write_text(str(os.getpid()))
        {then}
        time.sleep(60)
    """)


def _signals(tmp_path, name: str) -> list[str]:
    path = tmp_path / f"{name}.signals"
    return path.read_text().split() if path.exists() else []


def _gone(tmp_path, name: str) -> bool:
    """Say whether the child is gone: no process of that pid runs the child's code.

    A pid is reused once its process is reaped (pid_max is 32768 here, and a busy machine
    wraps it in minutes), so "some process has this pid" does not mean the child lives.
    """
    pid = int((tmp_path / f"{name}.pid").read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return str(tmp_path).encode() not in cmdline.read()
    except FileNotFoundError:
        return True


# Each child, once ready, signals its parent (this test process, supervising).
_READY_THEN_SIGNAL = """
        while not all(Path({paths!r}[i]).exists() for i in range({count})):
            time.sleep(0.05)
        os.kill(os.getppid(), signal.{signal})
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_reaches_every_child_once_and_ends_cleanly(tmp_path, signum):
    pid_files = [str(tmp_path / f"{name}.pid") for name in ("web", "scheduler")]
    trigger = _READY_THEN_SIGNAL.format(paths=pid_files, count=2, signal=signum.name)
    commands = {"web": _child(tmp_path, "web"),
                "scheduler": _child(tmp_path, "scheduler", then=trigger)}

    assert supervise(commands, grace_seconds=30) == 0

    for name in ("web", "scheduler"):
        assert _signals(tmp_path, name) == [signum.name]
        assert _gone(tmp_path, name)


def test_a_child_ending_on_its_own_stops_the_others_with_its_status(tmp_path):
    pid_file = str(tmp_path / "scheduler.pid")
    commands = {"scheduler": _child(tmp_path, "scheduler"),
                "web": _python(f"""
                    import time
                    from pathlib import Path
                    while not Path({pid_file!r}).exists():
                        time.sleep(0.05)
                    raise SystemExit(3)
                """)}

    assert supervise(commands, grace_seconds=30) == 3

    assert _signals(tmp_path, "scheduler") == ["SIGTERM"]
    assert _gone(tmp_path, "scheduler")


def test_a_child_deaf_to_signals_is_killed_after_the_grace_period(tmp_path):
    pid_file = str(tmp_path / "stubborn.pid")
    commands = {"stubborn": _python(f"""
                    import os, signal, time
                    from pathlib import Path
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    Path({pid_file!r}).write_text(str(os.getpid()))
                    time.sleep(60)
                """),
                "quitter": _python(f"""
                    import time
                    from pathlib import Path
                    while not Path({pid_file!r}).exists():
                        time.sleep(0.05)
                    raise SystemExit(2)
                """)}

    assert supervise(commands, grace_seconds=0.5) == 2

    assert _gone(tmp_path, "stubborn")


def test_signal_handlers_are_restored_afterwards(tmp_path):
    before = signal.getsignal(signal.SIGINT)

    supervise({"done": _python("pass")}, grace_seconds=5)

    assert signal.getsignal(signal.SIGINT) is before
