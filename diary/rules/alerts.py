"""Alert kinds and the escalation ladders, as data and pure functions.

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
    # Also which of the study's escalation ladders it climbs: its first step says who
    # is texted first.
    urgency: str
    dedupe: str
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
    # Three days without an entry (DESIGN: rules that carry clinical meaning), and
    # adherence over the last 14 days below the study's threshold.
    AlertKind("adherence_gap", ROUTINE, PER_PARTICIPANT),
    AlertKind("low_adherence", ROUTINE, PER_PARTICIPANT),
    # Safety: texted within a minute, escalated until acknowledged.
    AlertKind("severe_symptom", URGENT, PER_CAUSE),
    AlertKind("serious_event", URGENT, PER_CAUSE, report_due=timedelta(hours=24)),
    # Imatinib is teratogenic and pregnancy ends participation: one open alert is enough.
    AlertKind("pregnancy", URGENT, PER_PARTICIPANT, report_due=timedelta(hours=24)),
    # From symptom reports (diary.rules.safety). Per item: the cause names the
    # participant and the item; the others, one open alert per participant.
    AlertKind("emergency_visit", URGENT, PER_PARTICIPANT),
    AlertKind("symptom_high", ROUTINE, PER_CAUSE),
    AlertKind("symptom_worse", ROUTINE, PER_CAUSE),
    AlertKind("weight_gain", ROUTINE, PER_CAUSE),
    AlertKind("other_symptoms", ROUTINE, PER_PARTICIPANT),
)
ALERT_KINDS: dict[str, AlertKind] = {kind.name: kind for kind in _KINDS}
ALERT_KIND_NAMES = tuple(ALERT_KINDS)

EVERYONE = ("coordinator", "investigator", "admin")


@dataclass(frozen=True)
class Step:
    """Who is texted once an alert has gone unacknowledged for ``after``."""

    after: timedelta
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Ladder:
    """An alert's texts until someone acknowledges it: steps, then the last one repeated.

    Step 0 (``after`` zero) is texted when the alert is raised. The level an alert has
    reached is the number of the step it last texted; repeats count on from the last
    step (level 3 is the first repeat of a three-step ladder's last step).
    """

    steps: tuple[Step, ...]
    repeat_every: timedelta | None = None

    def offset(self, level: int) -> timedelta:
        """Return how long after the alert was raised the step of ``level`` is due."""
        last = len(self.steps) - 1
        if level <= last:
            return self.steps[level].after
        return self.steps[last].after + (level - last) * self.repeat_every

    def roles(self, level: int) -> tuple[str, ...]:
        """Return the roles texted at ``level``."""
        return self.steps[min(level, len(self.steps) - 1)].roles

    def level_due(self, raised_at: datetime, now: datetime) -> int:
        """Return the highest level whose time has come (a backlog is one step, not many)."""
        elapsed = now - raised_at
        last = len(self.steps) - 1
        if self.repeat_every and elapsed >= self.steps[last].after:
            return last + (elapsed - self.steps[last].after) // self.repeat_every
        return max(level for level, step in enumerate(self.steps) if step.after <= elapsed)

    def next_at(self, raised_at: datetime, level: int) -> datetime | None:
        """Return when the step after ``level`` is due (None: the ladder is climbed)."""
        if level + 1 >= len(self.steps) and not self.repeat_every:
            return None
        return raised_at + self.offset(level + 1)


# The ladders a study file does not override ([alerts.escalation]). Urgent: the site's
# coordinators at once, its investigators after 30 minutes, after 2 hours the whole site
# team and the admins, and them again every 2 hours until someone acknowledges. Routine:
# the coordinators at once, and again every day until someone does.
DEFAULT_LADDERS = {
    URGENT: Ladder((Step(timedelta(0), COORDINATORS),
                    Step(timedelta(minutes=30), ("investigator",)),
                    Step(timedelta(hours=2), EVERYONE)), repeat_every=timedelta(hours=2)),
    ROUTINE: Ladder((Step(timedelta(0), COORDINATORS),), repeat_every=timedelta(hours=24)),
}
ESCALATION_TEMPLATE = "staff_escalation"


def ladder_from(definition: dict, urgency: str) -> Ladder:
    """Return a study's ladder for an urgency: its file's ``[alerts.escalation]``, or ours."""
    raw = definition.get("alerts", {}).get("escalation", {}).get(urgency)
    if raw is None:
        return DEFAULT_LADDERS[urgency]
    steps = tuple(Step(timedelta(minutes=int(step["after_minutes"])), tuple(step["roles"]))
                  for step in raw["steps"])
    repeat = raw.get("repeat_every_minutes")
    return Ladder(steps, timedelta(minutes=int(repeat)) if repeat else None)


def ladder_problems(definition: dict) -> list[str]:
    """Return what is wrong with a study file's ladders (empty when they can be used)."""
    problems = []
    for urgency in (URGENT, ROUTINE):
        try:
            ladder = ladder_from(definition, urgency)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{urgency}: {exc!r}")
            continue
        offsets = [step.after for step in ladder.steps]
        if not offsets or offsets[0] != timedelta(0) or offsets != sorted(set(offsets)):
            problems.append(f"{urgency}: steps start at 0 minutes and rise.")
        if any(not set(step.roles) <= set(EVERYONE) or not step.roles for step in ladder.steps):
            problems.append(f"{urgency}: roles are among {', '.join(EVERYONE)}.")
        if ladder.repeat_every is not None and ladder.repeat_every <= timedelta(0):
            problems.append(f"{urgency}: repeat_every_minutes is more than 0.")
    return problems


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
