"""Alert kinds and the escalation ladder, as data and pure functions.

Every place that raises, lists or documents an alert kind reads it from ``ALERT_KINDS``.
The operation (``diary.operations.alerts``) decides with these and commits the alert;
``diary.messaging.staff_texts`` picks the recipients and words their texts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from diary.models.alert import ROUTINE, URGENT

# How an alert finds its open twin instead of opening a second one.
PER_PARTICIPANT = "participant"  # one open alert per participant and kind
PER_CAUSE = "cause"  # one per cause the caller names (a report, an event); none: each apart

COORDINATORS = ("coordinator",)


@dataclass(frozen=True)
class AlertKind:
    """What an alert of one kind is: how urgent, how deduplicated, who hears first."""

    name: str
    urgency: str
    dedupe: str
    first_responders: tuple[str, ...] = COORDINATORS
    # The staff text's template (study file, [sms.templates]).
    template: str = "staff_alert"
    # ICH E2A: serious events and pregnancies carry an expedited reporting clock.
    report_due: timedelta | None = None


_KINDS = (
    # The SMS path: a number that cannot be texted, an opt-out, a reply nobody understood.
    AlertKind("unreachable", ROUTINE, PER_PARTICIPANT),
    AlertKind("phone_invalid", ROUTINE, PER_PARTICIPANT),
    AlertKind("sms_opt_out", ROUTINE, PER_PARTICIPANT),
    AlertKind("sms_not_understood", ROUTINE, PER_PARTICIPANT),
    # Three days without an entry (DESIGN: rules that carry clinical meaning).
    AlertKind("adherence_gap", ROUTINE, PER_PARTICIPANT),
    # Safety: texted within a minute, escalated until acknowledged.
    AlertKind("severe_symptom", URGENT, PER_CAUSE),
    AlertKind("serious_event", URGENT, PER_CAUSE, report_due=timedelta(hours=24)),
    # Imatinib is teratogenic and pregnancy ends participation: one open alert is enough.
    AlertKind("pregnancy", URGENT, PER_PARTICIPANT, report_due=timedelta(hours=24)),
)
ALERT_KINDS: dict[str, AlertKind] = {kind.name: kind for kind in _KINDS}
ALERT_KIND_NAMES = tuple(ALERT_KINDS)

# The escalation ladder of an urgent alert nobody acknowledges: every 15 minutes the next
# circle of staff. Level 1 wakes the site's investigators; from level 2 the whole site
# team and the admins. Four rounds (an hour) of texts; then the alert stays open in the
# list, unescalated.
ESCALATION_INTERVAL = timedelta(minutes=15)
MAX_ESCALATION_LEVEL = 4
ESCALATION_TEMPLATE = "staff_escalation"
_LADDER = {1: ("investigator",)}
EVERYONE = ("coordinator", "investigator", "admin")


def alert_kind(name: str) -> AlertKind:
    """Return the registered kind; an unknown name is a programming error."""
    try:
        return ALERT_KINDS[name]
    except KeyError:
        raise ValueError(f"unknown alert kind {name!r}; register it in ALERT_KINDS") from None


def dedupe_key(kind: AlertKind, participant_id: int | None, cause: str | None) -> str | None:
    """Return the key that keeps one open alert per cause (None: every alert stands apart)."""
    if kind.dedupe == PER_PARTICIPANT:
        return f"{kind.name}:{participant_id}"
    return f"{kind.name}:{cause}" if cause is not None else None


def first_escalation_at(kind: AlertKind, raised_at: datetime) -> datetime | None:
    """Return when an alert raised now escalates if nobody acknowledges it (None: never)."""
    return raised_at + ESCALATION_INTERVAL if kind.urgency == URGENT else None


def escalation_roles(level: int) -> tuple[str, ...]:
    """Return the roles texted at an escalation level."""
    return _LADDER.get(level, EVERYONE)


def next_escalation_at(level: int, now: datetime) -> datetime | None:
    """Return when the round after ``level`` is due (None once the ladder is climbed)."""
    return now + ESCALATION_INTERVAL if level < MAX_ESCALATION_LEVEL else None
