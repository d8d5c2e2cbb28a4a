"""Seed the synthetic demo cohort by replaying its plan through the real operations.

Every entry goes through the same use cases as the phone and the staff API (enrolment,
dose writes and corrections, adverse events with their dose changes and holds), so the
audit trail, versions, late flags and alerts are the real ones. The clock is replayed
(``diary.clock.replaying``) to the instant each entry is made in the story, capped at
the real now; participants carry ``demo = true`` and study codes ``DEMO-01`` on.
"""

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from diary.actor import Actor
from diary.clock import local_today, replaying, utcnow
from diary.errors import Conflict
from diary.extensions import db
from diary.models import Participant, Site, StaffUser, Study
from diary.operations.adverse_events import change_adverse_event, record_adverse_event
from diary.operations.audit import record_audit, snapshot
from diary.operations.doses import write_dose
from diary.operations.participants import enrol_participant
from diary.operations.staff_fields import AUDITED_FIELDS, ensure_email_free
from diary.operations.tumour_assessments import record_assessment
from diary.passwords import hash_password
from diary.rules import demo_cohort as plan
from diary.rules.adverse_events import EventFacts
from diary.rules.doses import DoseInput
from diary.rules.partial_dates import parse_partial_date

DEMO_STUDY = "NCT02495519"
DEMO_STAFF_EMAIL = "demo-coordinator@example.org"
DEMO_REASON = "diary demo: synthetic demonstration data"
COHORT_SIZE = plan.COHORT_SIZE


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def demo_seeded(study: Study) -> bool:
    """Say whether the study already has demo participants."""
    return bool(db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.study_id == study.id, Participant.demo.is_(True))))


def has_participants(study: Study) -> bool:
    """Say whether anyone at all is enrolled (a database in use is not new)."""
    return bool(db.session.scalar(select(func.count()).select_from(Participant).where(
        Participant.study_id == study.id)))


def demo_study() -> Study:
    """Return the study the demo cohort is made for, which must be loaded."""
    study = db.session.scalar(select(Study).where(Study.code == DEMO_STUDY))
    if study is None:
        raise Conflict(f"Load {DEMO_STUDY} first (diary load-default-study).")
    return study


def seed_demo(seed: int, on_participant: Callable[[str], None] = lambda code: None,
              ) -> DemoLogin:
    """Seed the cohort for ``seed`` and the coordinator account that reads it; refuse twice."""
    study = demo_study()
    if demo_seeded(study):
        raise Conflict("The demo cohort is already seeded.")
    site = db.session.scalar(select(Site).where(Site.study_id == study.id).order_by(Site.id))
    password = secrets.token_urlsafe(12)
    actor = Actor.for_staff(_demo_coordinator(site, password))
    for person in plan.plan_cohort(seed, local_today(site.timezone)):
        _replay_participant(actor, study, site, person)
        on_participant(person.study_code)
    return DemoLogin(DEMO_STAFF_EMAIL, password)


def _demo_coordinator(site: Site, password: str) -> StaffUser:
    """Make the demo site's coordinator, who signs in with a password alone.

    Not an admin: admins and investigators need a second factor, which a demo sign-in
    printed on a terminal cannot carry (coordinators need one only if the study says so).
    """
    ensure_email_free(DEMO_STAFF_EMAIL)
    staff = StaffUser(email=DEMO_STAFF_EMAIL, password_hash=hash_password(password),
                      role="coordinator", locale="en", alerts_enabled=False, active=True,
                      created_at=utcnow())
    staff.sites = [site]
    db.session.add(staff)
    db.session.flush()
    record_audit(Actor.system(), "staff.created", staff,
                 after=snapshot(staff, AUDITED_FIELDS), reason=DEMO_REASON)
    return staff


def _replay_participant(actor: Actor, study: Study, site: Site,
                        person: plan.DemoParticipant) -> None:
    zone = ZoneInfo(site.timezone)
    with replaying(_at(person.enrolled_on, timedelta(hours=8), zone)):
        participant = enrol_participant(actor, {
            "study_code": person.study_code, "site": site.code,
            "enrolled_on": person.enrolled_on, "locale": person.locale,
            "reminder_time": person.reminder_time, "sms_consent": False,
            "proxy_reporter": person.proxy_reporter, "status": "active", "demo": True,
        })
    device = Actor.for_participant(participant, study)
    for instant, step in sorted(_steps(actor, device, participant, study, person, zone),
                                key=lambda pair: pair[0]):
        with replaying(instant):
            step()
    db.session.commit()
    _record_week16_assessment(actor, participant, person)


def _record_week16_assessment(actor: Actor, participant: Participant,
                              person: plan.DemoParticipant) -> None:
    """Record the week-16 tumour assessment (``person.week16_response``) on day 112."""
    visit = participant.enrolled_on + timedelta(days=111)
    with replaying(_at(visit, timedelta(hours=15), ZoneInfo(participant.timezone))):
        record_assessment(actor, participant.id,
                          {"visit_date": visit, "response": person.week16_response})


def _steps(actor, device, participant, study, person, zone) -> Iterator[tuple[datetime, object]]:
    """Yield (when, what) for every write of one participant's story."""
    for dose in person.doses:
        at = _at(dose.day, dose.recorded_after, zone)
        if dose.corrected_by:
            first = DoseInput(client_id=dose.client_id, dose_date=dose.day, status="missed",
                              missed_reason="forgot")
            second = DoseInput(client_id=_second_id(dose.client_id), dose_date=dose.day,
                               status="taken", dose_mg=dose.dose_mg, vomited=dose.vomited,
                               correction_reason=dose.corrected_by)
            yield at, _dose_step(device, participant, study, first)
            yield _capped(at + timedelta(days=1)), _dose_step(device, participant, study,
                                                              second)
        else:
            entry = DoseInput(client_id=dose.client_id, dose_date=dose.day, status=dose.status,
                              dose_mg=dose.dose_mg, missed_reason=dose.missed_reason,
                              vomited=dose.vomited)
            yield at, _dose_step(device, participant, study, entry)
    for event in person.events:
        # Staff hear of it and record it the next morning; a later version gives its end.
        recorded: dict = {}
        yield (_at(event.onset, timedelta(days=1, hours=10), zone),
               _event_step(actor, participant, event, recorded))
        if event.end is not None:
            yield (_at(event.end, timedelta(days=1, hours=11), zone),
                   _event_end_step(actor, participant, event, recorded))


def _dose_step(device, participant, study, dose: DoseInput):
    def step():
        # The caller's transaction: one commit per participant keeps seeding fast.
        write_dose(participant, study, dose, actor=device, source="app")
    return step


def _event_step(actor, participant, event: plan.DemoEvent, recorded: dict):
    def step():
        db.session.commit()  # the doses so far, before the event's own transaction
        record = record_adverse_event(actor, participant.id, _facts(event), reason=DEMO_REASON)
        recorded["id"] = record.event.id
    return step


def _event_end_step(actor, participant, event: plan.DemoEvent, recorded: dict):
    def step():
        db.session.commit()
        change_adverse_event(actor, participant.id, recorded["id"], {
            "end": parse_partial_date(event.end.isoformat()), "outcome": "recovered",
        }, reason="Resolved, as seen at the follow-up visit.")
    return step


def _facts(event: plan.DemoEvent) -> EventFacts:
    """Return the event as first recorded: still going on, its end not yet known."""
    extra = {}
    if event.seriousness:
        # Reported to the sponsor well within the 24-hour clock, as a site should.
        now = utcnow()
        extra = {"site_aware_at": now - timedelta(hours=2), "reported_to_sponsor_at": now}
    if event.action == plan.DOSE_REDUCED:
        extra |= {"new_dose_mg": plan.REDUCED_MG, "new_dose_from": event.change_from}
    elif event.action == plan.INTERRUPTED:
        extra |= {"hold_from": event.change_from, "hold_to": event.change_to}
    return EventFacts(
        ctcae_term=event.term, verbatim_term=None, grade=event.grade,
        seriousness=event.seriousness, onset=parse_partial_date(event.onset.isoformat()),
        end=None, outcome="not_recovered", relatedness=event.relatedness,
        action=event.action, **extra)


def _second_id(client_id: str) -> str:
    """Return the correction's own client id, derived from the first so seeds repeat."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, client_id))


def _at(day: date, after: timedelta, zone: ZoneInfo) -> datetime:
    """Return the instant ``after`` the start of local ``day``, never later than now."""
    return _capped(datetime.combine(day, datetime.min.time(), zone) + after)


def _capped(instant: datetime) -> datetime:
    return min(instant, utcnow())
