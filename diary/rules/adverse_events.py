"""Adverse events as staff record them: terms, seriousness, dates and actions, as plain values.

Every function here decides from the values it is given; the operation
(``diary.operations.adverse_events``) gathers them and stores the outcome.
"""

from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from diary.models.adverse_event_version import (
    DOSE_REDUCED,
    INTERRUPTED,
    SERIOUSNESS_CRITERIA,
)
from diary.rules.partial_dates import PartialDate, compare, is_after, is_before

# ICH E2A: a serious unexpected reaction that is fatal or life-threatening is reported as
# soon as possible; sponsors ask sites for every serious event within 24 hours of the
# site learning of it.
REPORT_WITHIN = timedelta(hours=24)
GRADE_DEATH = 5
FATAL = "fatal"
DEATH = "death"
# Fields each action carries, and which of them it needs.
ACTION_FIELDS = {DOSE_REDUCED: ("new_dose_mg", "new_dose_from"),
                 INTERRUPTED: ("hold_from", "hold_to")}
REQUIRED_ACTION_FIELDS = {DOSE_REDUCED: ("new_dose_mg", "new_dose_from"),
                          INTERRUPTED: ("hold_from",)}
ALL_ACTION_FIELDS = ("new_dose_mg", "new_dose_from", "hold_from", "hold_to")


@dataclass(frozen=True)
class Term:
    """A CTCAE v5 term the study expects, with the MedDRA code CTCAE gives it (or none)."""

    term: str
    meddra_code: str | None
    soc: str | None = None
    pro_ctcae_item: int | None = None


@dataclass(frozen=True)
class EventFacts:
    """What staff state about an adverse event in one version."""

    ctcae_term: str | None
    verbatim_term: str | None
    grade: int
    seriousness: tuple[str, ...]
    onset: PartialDate
    end: PartialDate | None
    outcome: str
    relatedness: str
    action: str
    new_dose_mg: Decimal | None = None
    new_dose_from: date | None = None
    hold_from: date | None = None
    hold_to: date | None = None
    site_aware_at: datetime | None = None
    reported_to_sponsor_at: datetime | None = None
    source_symptom_report_id: int | None = None

    def __post_init__(self):
        # In UTC, as stored and as every later read returns them.
        for name in ("site_aware_at", "reported_to_sponsor_at"):
            instant = getattr(self, name)
            if instant is not None:
                object.__setattr__(self, name, instant.astimezone(UTC))

    @property
    def serious(self) -> bool:
        """Say whether the event is serious: ICH E2A, any one criterion."""
        return bool(self.seriousness)

    def changed(self, **changes) -> "EventFacts":
        """Return these facts with some replaced (a later version's)."""
        return replace(self, **changes)

    def values(self) -> dict:
        """Return the facts by field name (partial dates stay PartialDate)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


FACT_FIELDS = tuple(field.name for field in fields(EventFacts))


def terms_from(definition: dict) -> dict[str, Term]:
    """Return the study's CTCAE terms by term, from its file's ``[[adverse_events.terms]]``."""
    raw = definition.get("adverse_events", {}).get("terms", [])
    return {entry["term"]: Term(entry["term"], entry.get("meddra_code") or None,
                                entry.get("soc"), entry.get("pro_ctcae_item"))
            for entry in raw}


def term_list_problems(definition: dict) -> list[str]:
    """Return what is wrong with a study file's term list (empty when it can be used)."""
    raw = definition.get("adverse_events", {}).get("terms", [])
    problems = []
    seen = set()
    for entry in raw:
        term, code = entry.get("term"), entry.get("meddra_code")
        if not isinstance(term, str) or not term.strip() or len(term) > 200:
            problems.append(f"A term must be text of 1 to 200 characters: {term!r}.")
        elif term.casefold() in seen:
            problems.append(f"{term!r} is listed twice.")
        else:
            seen.add(term.casefold())
        # MedDRA codes are eight digits; a term without one leaves the key out.
        if code is not None and not (isinstance(code, str) and code.isdigit() and len(code) == 8):
            problems.append(f"{term!r}: meddra_code is eight digits, as text, or left out.")
    return problems


def in_criteria_order(criteria) -> tuple[str, ...]:
    """Return seriousness criteria in ICH E2A's order (how they are stored and shown)."""
    return tuple(criterion for criterion in SERIOUSNESS_CRITERIA if criterion in criteria)


def term_errors(facts: EventFacts, terms: dict[str, Term]) -> dict[str, list[str]]:
    """Check that exactly one term is given, and a CTCAE term is one of the study's."""
    if (facts.ctcae_term is None) == (facts.verbatim_term is None):
        message = "Give either ctcae_term (from the study's list) or verbatim_term."
        return {"ctcae_term": [message], "verbatim_term": [message]}
    if facts.ctcae_term is not None and facts.ctcae_term not in terms:
        return {"ctcae_term": ["Not a term of the study's list (GET /api/v1/study lists "
                               "them); send another term as verbatim_term."]}
    if facts.verbatim_term is not None:
        listed = {name.casefold(): name for name in terms}.get(facts.verbatim_term.casefold())
        if listed is not None:
            # Sent as text it would stay uncoded; as a CTCAE term it gets its MedDRA code.
            return {"verbatim_term": [f"{listed!r} is on the study's list: send it as "
                                      "ctcae_term."]}
    return {}


def date_errors(facts: EventFacts, *, enrolled_on: date, today: date) -> dict[str, list[str]]:
    """Check onset and end against enrolment, today and each other, at their precisions."""
    errors: dict[str, list[str]] = {}
    if is_before(facts.onset, enrolled_on):
        errors["onset_date"] = [f"Before enrolment ({enrolled_on.isoformat()})."]
    elif is_after(facts.onset, today):
        errors["onset_date"] = [f"After today ({today.isoformat()})."]
    if facts.end is not None:
        if compare(facts.end, facts.onset) < 0:
            errors["end_date"] = ["Before the onset."]
        elif is_after(facts.end, today):
            errors["end_date"] = [f"After today ({today.isoformat()})."]
    return errors


def consistency_errors(facts: EventFacts) -> dict[str, list[str]]:
    """Check that grade 5, a fatal outcome and the death criterion go together."""
    fatal = facts.outcome == FATAL
    errors: dict[str, list[str]] = {}
    # CTCAE v5: grade 5 is death related to the adverse event; ICH E2A: "results in death".
    if (facts.grade == GRADE_DEATH) != fatal:
        errors["grade"] = ["Grade 5 (death) goes with the outcome fatal, and only with it."]
    if (DEATH in facts.seriousness) != fatal:
        errors["seriousness"] = ["The criterion death goes with the outcome fatal, and only "
                                 "with it."]
    return errors


def action_errors(facts: EventFacts) -> dict[str, list[str]]:
    """Check that the action carries its own fields (dose reduced: dose and day; ...)."""
    errors: dict[str, list[str]] = {}
    allowed = ACTION_FIELDS.get(facts.action, ())
    for name in ALL_ACTION_FIELDS:
        value = getattr(facts, name)
        if name in REQUIRED_ACTION_FIELDS.get(facts.action, ()) and value is None:
            errors[name] = [f"Required when the action is {facts.action}."]
        elif name not in allowed and value is not None:
            errors[name] = [f"Only for the action {_owner(name)}."]
    if facts.hold_from is not None and facts.hold_to is not None and (
            facts.hold_to < facts.hold_from):
        errors["hold_to"] = ["Before hold_from."]
    for name in ("new_dose_from", "hold_from"):
        day = getattr(facts, name)
        # The drug is changed because of the event: not before it began.
        if day is not None and name not in errors and is_after(facts.onset, day):
            errors[name] = ["Before the onset of the event."]
    return errors


def _owner(name: str) -> str:
    return next(action for action, names in ACTION_FIELDS.items() if name in names)


def reduction_errors(new_dose_mg: Decimal, step_mg: Decimal | None) -> list[str]:
    """Check that a dose reduction is one: less than the dose in force from its first day."""
    if step_mg is not None and new_dose_mg >= step_mg:
        return [f"Not less than the dose prescribed then ({step_mg.normalize():f} mg)."]
    return []


def reporting_errors(facts: EventFacts, *, now: datetime,
                     timezone: str) -> dict[str, list[str]]:
    """Check the reporting instants: awareness for serious events, neither in the future."""
    errors: dict[str, list[str]] = {}
    aware, reported = facts.site_aware_at, facts.reported_to_sponsor_at
    if aware is None and facts.serious:
        errors["site_aware_at"] = ["Required for a serious event: its 24-hour reporting "
                                   "clock starts when the site learned of it."]
    elif aware is not None and aware > now:
        errors["site_aware_at"] = ["In the future."]
    elif aware is not None and is_after(facts.onset, aware.astimezone(ZoneInfo(timezone)).date()):
        errors["site_aware_at"] = ["Before the onset of the event."]
    if reported is not None:
        if reported > now:
            errors["reported_to_sponsor_at"] = ["In the future."]
        elif aware is None:
            errors["reported_to_sponsor_at"] = ["Give site_aware_at too."]
        elif reported < aware:
            errors["reported_to_sponsor_at"] = ["Before site_aware_at."]
    return errors


def event_errors(facts: EventFacts, terms: dict[str, Term], *, enrolled_on: date, today: date,
                 now: datetime, timezone: str) -> dict[str, list[str]]:
    """Return every field error of an event's facts (empty when they can be recorded)."""
    errors: dict[str, list[str]] = {}
    for found in (term_errors(facts, terms), date_errors(facts, enrolled_on=enrolled_on,
                                                         today=today),
                  consistency_errors(facts), action_errors(facts),
                  reporting_errors(facts, now=now, timezone=timezone)):
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def report_due_at(serious: bool, site_aware_at: datetime | None) -> datetime | None:
    """Return when a serious event's report to the sponsor is due (None: not serious)."""
    if not serious or site_aware_at is None:
        return None
    return site_aware_at + REPORT_WITHIN


def report_overdue(due_at: datetime | None, reported_at: datetime | None,
                   now: datetime) -> bool:
    """Say whether a report's deadline has passed with no report to the sponsor."""
    return due_at is not None and reported_at is None and now >= due_at


# What a new version's action does to the regimen (see ``action_change``).
KEEP, WRITE, END_HOLD, REFUSE = "keep", "write", "end_hold", "refuse"


def _action_details(facts: EventFacts) -> tuple:
    return (facts.action, *(getattr(facts, name) for name in ALL_ACTION_FIELDS))


def action_change(before: EventFacts | None, after: EventFacts, *, written: bool) -> str:
    """Decide what a version's action does to the regimen, given the version before it.

    A dose reduction or an interruption is written to the regimen once, when it is first
    recorded (WRITE); later versions keep it (KEEP). What the regimen holds is not
    rewritten by correcting an event (REFUSE: the regimen's own endpoints change it),
    except that an open hold may be given its last day (END_HOLD).
    """
    if before is not None and _action_details(before) == _action_details(after):
        return KEEP
    if not written:
        return WRITE if after.action in ACTION_FIELDS else KEEP
    ends_open_hold = (before.action == after.action == INTERRUPTED
                      and before.hold_from == after.hold_from
                      and before.hold_to is None and after.hold_to is not None)
    return END_HOLD if ends_open_hold else REFUSE
