"""When to try a text again, when to give up, and when it is too late: pure decisions."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from diary.models.message import REMINDER_KINDS, STAFF_ALERT_KINDS

# Reminders go stale after this (see REMINDER_KINDS); staff alerts never do.
STALE_AFTER = timedelta(hours=2)
JITTER = 0.2

_random = random.SystemRandom()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff from ``base``, capped, up to ``max_attempts`` (None: forever)."""

    base: timedelta
    cap: timedelta
    max_attempts: int | None


PARTICIPANT_POLICY = RetryPolicy(timedelta(seconds=30), timedelta(minutes=30), 6)
# A lost alert is worse than a duplicate one: retry until it leaves, never far apart.
STAFF_ALERT_POLICY = RetryPolicy(timedelta(seconds=30), timedelta(minutes=5), None)
_POLICIES = dict.fromkeys(STAFF_ALERT_KINDS, STAFF_ALERT_POLICY)


def policy_for(kind: str) -> RetryPolicy:
    """Return the retry policy for a message kind."""
    return _POLICIES.get(kind, PARTICIPANT_POLICY)


def backoff_delay(
    attempt: int,
    policy: RetryPolicy,
    *,
    jitter: float = JITTER,
    rand: Callable[[], float] | None = None,
) -> timedelta:
    """Return the wait after failed attempt ``attempt``: base * 2^(attempt-1), capped, +/- jitter.

    Jitter spreads retries so a provider outage does not end in a burst of every text at once.
    """
    # Alerts retry forever: bound the exponent before it overflows a timedelta.
    exponent = min(max(attempt, 1) - 1, 20)
    raw = min(policy.base * 2**exponent, policy.cap)
    spread = 2 * (rand or _random.random)() - 1  # in [-1, 1)
    return raw * (1 + jitter * spread)


def gives_up(kind: str, attempts: int) -> bool:
    """Return whether a message that has failed ``attempts`` times should not be tried again."""
    limit = policy_for(kind).max_attempts
    return limit is not None and attempts >= limit


def expiry(kind: str, due_at: datetime, expires_at: datetime | None) -> datetime | None:
    """Return when an unsent message goes stale (None: never)."""
    if kind in STAFF_ALERT_KINDS:
        return None
    if expires_at is not None:
        return expires_at
    return due_at + STALE_AFTER if kind in REMINDER_KINDS else None


def resend_when_unsure(kind: str) -> bool:
    """Return whether a send that may or may not have left should be made again.

    A participant would rather miss one reminder than get two; staff would rather get an
    alert twice than not at all.
    """
    return kind in STAFF_ALERT_KINDS


def claim_timeout(send_timeout_seconds: float) -> timedelta:
    """Return how old a claim is when its dispatcher must have died mid-send.

    A claim covers one send, which gives up after ``send_timeout_seconds``; twice that
    and half a minute more leaves room for a slow answer and its recording (50 s with
    the default 10 s), so an alert waits less than a minute to be sent again.
    """
    return 2 * timedelta(seconds=send_timeout_seconds) + timedelta(seconds=30)
