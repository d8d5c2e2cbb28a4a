"""When repeated failed sign-ins lock a staff account, as plain values.

A password guessed at online is slowed to a few tries per lock period, whoever tries:
the lock holds for the right password too, and it ends by itself (no admin needed at
night), after which the count starts again.
"""

from datetime import datetime, timedelta


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Say whether an account refuses sign-ins at ``now``."""
    return locked_until is not None and now < locked_until


def after_failure(failures: int, now: datetime, *, attempts: int,
                  lock_for: timedelta) -> tuple[int, datetime | None]:
    """Return the failure count and lock after one more failed sign-in.

    The ``attempts``-th failure in a row locks the account for ``lock_for`` and starts
    the count again.
    """
    failures += 1
    if failures >= attempts:
        return 0, now + lock_for
    return failures, None
