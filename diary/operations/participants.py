"""Participants as staff see them: enrolment, look-up within one's sites, changes."""

from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from diary.actor import Actor
from diary.clock import local_today, utcnow
from diary.errors import Conflict, Forbidden, InvalidInput, NotFound
from diary.extensions import db
from diary.messaging.planning import replan_participant
from diary.models import AuditEvent, DoseEntry, DoseHold, Participant, PrescribedDose, Site, Study
from diary.operations.audit import record_audit, snapshot
from diary.operations.scope import at_staff_sites
from diary.operations.sessions import revoke_participant_credentials
from diary.operations.sites import resolve_site
from diary.phone_keys import phone_lookup
from diary.rules.enrolment import enrolment_date_errors
from diary.rules.phone import (
    PhoneNumberError,
    expected_form,
    normalise_mobile,
    region_for_timezone,
)
from diary.rules.reminders import in_quiet_hours
from diary.rules.study_design import age_errors, min_age_years

EDITORS = ("admin", "coordinator")
STARTING_DOSE_REASON = "Starting dose per protocol"
# What the queued reminders were planned from: a change to any of these plans them again.
REMINDER_FIELDS = frozenset({"enrolled_on", "timezone", "locale", "phone_e164", "sms_consent",
                             "reminder_time", "status"})
# What the audit trail records of a participant, before and after a change.
AUDITED_FIELDS = ("study_code", "site_id", "enrolled_on", "timezone", "locale", "phone_e164",
                  "sms_consent", "sms_consent_at", "reminder_time", "proxy_reporter", "status",
                  "sex", "age_at_enrolment", "withdrawn_on")
_REGIMEN = (selectinload(Participant.prescribed_doses), selectinload(Participant.dose_holds))


def visible_to(actor: Actor):
    """Return a WHERE clause limiting participants to the staff member's sites."""
    return at_staff_sites(actor, Participant.site_id)


def get_participant_for_staff(actor: Actor, participant_id: int, *,
                              for_update: bool = False) -> Participant:
    """Return a participant of the staff member's sites; anything else is NotFound.

    With ``for_update`` the row is locked (PostgreSQL) so that checks on the
    participant's regimen and the write that follows cannot interleave.
    """
    statement = select(Participant).where(Participant.id == participant_id, visible_to(actor))
    if for_update:
        statement = statement.with_for_update()
    participant = db.session.execute(statement).scalar_one_or_none()
    if participant is None:
        raise NotFound("No such participant.")
    return participant


def check_can_record(participant: Participant, source: str, staff_reason: str | None, *,
                     sources) -> None:
    """Refuse a diary write (a dose, a symptom report) that cannot be taken from ``source``.

    Staff say why they write on a participant's behalf. After withdrawal nothing more is
    collected from the participant; staff may still complete the record of the time
    before it.
    """
    if source not in sources:
        raise ValueError(f"unknown source {source!r}")
    if source == "staff" and not (staff_reason or "").strip():
        raise InvalidInput("A reason is required.", {"reason": ["Required for staff entries."]})
    if participant.status == "withdrawn" and source != "staff":
        raise Conflict("The participant has withdrawn from the study.")


def require_editor(actor: Actor) -> None:
    """Refuse staff who may read participants but not enrol or change them."""
    if actor.staff is None or actor.staff.role not in EDITORS:
        raise Forbidden("Your role does not allow this.")


def page_of(statement, page: int, page_size: int) -> tuple[list, int]:
    """Return one page of a SELECT's rows and the total count of rows."""
    total = db.session.execute(
        select(func.count()).select_from(statement.order_by(None).subquery())
    ).scalar_one()
    rows = db.session.execute(
        statement.limit(page_size).offset((page - 1) * page_size)
    ).scalars().all()
    return list(rows), total


def list_participants(actor: Actor, *, status: str | None = None, site_id: int | None = None,
                      page: int = 1, page_size: int = 10) -> tuple[list[Participant], int]:
    """Return a page of the caller's participants (by study code) and how many there are."""
    statement = select(Participant).where(visible_to(actor)).options(*_REGIMEN)
    if status is not None:
        statement = statement.where(Participant.status == status)
    if site_id is not None:
        statement = statement.where(Participant.site_id == site_id)
    return page_of(statement.order_by(Participant.study_code, Participant.id), page, page_size)


def get_participant(actor: Actor, participant_id: int) -> Participant:
    """Return one of the caller's participants with its regimen loaded."""
    participant = db.session.execute(
        select(Participant)
        .where(Participant.id == participant_id, visible_to(actor))
        .options(*_REGIMEN)
    ).scalar_one_or_none()
    if participant is None:
        raise NotFound("No such participant.")
    return participant


def list_audit_events(actor: Actor, participant_id: int, *, page: int = 1,
                      page_size: int = 10) -> tuple[list[AuditEvent], int]:
    """Return a page of a participant's audit trail, newest first."""
    get_participant_for_staff(actor, participant_id)
    statement = (
        select(AuditEvent)
        .where(AuditEvent.participant_id == participant_id)
        .order_by(AuditEvent.id.desc())
    )
    return page_of(statement, page, page_size)


def _site_ref(data: dict) -> tuple[int | str, str] | None:
    """Return how the request names a site (code or id) and the field it used, if it does."""
    for field in ("site", "site_id"):
        if field in data:
            return data[field], field
    return None


def _enrolment_site(actor: Actor, ref: int | str, field: str) -> Site:
    # A site the caller does not work at is answered like one that does not exist.
    return resolve_site(ref, field, scope=at_staff_sites(actor, Site.id))


def _mobile(raw: str | None, site: Site) -> str | None:
    if raw is None or not raw.strip():
        return None
    region = region_for_timezone(site.timezone)
    try:
        return normalise_mobile(raw, region)
    except PhoneNumberError as exc:
        raise InvalidInput("The request has invalid fields.",
                           {"phone": [f"{exc} {expected_form(region)}"]}) from exc


def _ensure_phone_free(phone: str | None, participant_id: int | None = None) -> None:
    # A reply from a phone two active participants share could be either one's dose.
    if phone is None:
        return
    taken = db.session.execute(
        select(Participant.id).where(Participant.phone_lookup == phone_lookup(phone),
                                     Participant.status == "active",
                                     Participant.id != (participant_id or 0)).limit(1)
    ).first()
    if taken is not None:
        raise Conflict("This mobile number belongs to another active participant; a text "
                       "from it could not be told apart. Give another number, or none.",
                       {"phone": ["In use by another active participant."]})


def _check_enrolment_date(enrolled_on, timezone: str) -> None:
    problems = enrolment_date_errors(enrolled_on, local_today(timezone))
    if problems:
        raise InvalidInput("The request has invalid fields.", {"enrolled_on": problems})


def _check_reminder_time(study: Study, reminder_time) -> None:
    if in_quiet_hours(reminder_time, study.quiet_start, study.quiet_end):
        quiet = f"{study.quiet_start:%H:%M}-{study.quiet_end:%H:%M}"
        raise InvalidInput("The request has invalid fields.", {"reminder_time": [
            f"Inside the study's quiet hours ({quiet}), when no text is sent."]})


def _check_age(study: Study, age_years: int | None) -> None:
    if age_years is None:
        return
    problems = age_errors(age_years, min_age_years(study.definition))
    if problems:
        raise InvalidInput("The request has invalid fields.", {"age_at_enrolment": problems})


def _check_locale(study: Study, locale: str) -> None:
    if locale not in study.locales:
        raise InvalidInput("The request has invalid fields.",
                           {"locale": [f"The study offers {', '.join(study.locales)}."]})


def _ensure_code_free(study_id: int, study_code: str, participant_id: int | None = None) -> None:
    taken = db.session.execute(
        select(Participant.id).where(Participant.study_id == study_id,
                                     Participant.study_code == study_code,
                                     Participant.id != (participant_id or 0))
    ).first()
    if taken is not None:
        raise Conflict("That study code is already in use in this study.",
                       {"study_code": ["Already in use."]})


@contextmanager
def _study_code_race():
    # Two coordinators enrolling the same code at once: the unique constraint decides, at
    # the flush or at the commit, whichever meets the other's row first.
    try:
        yield
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("That study code is already in use in this study.",
                       {"study_code": ["Already in use."]}) from exc


def _commit_or_conflict() -> None:
    with _study_code_race():
        db.session.commit()


def enrol_participant(actor: Actor, data: dict) -> Participant:
    """Enrol a participant at one of the caller's sites with the study's starting dose."""
    require_editor(actor)
    site = _enrolment_site(actor, *_site_ref(data))
    study = db.session.get(Study, site.study_id)
    locale = data.get("locale") or study.locales[0]
    _check_locale(study, locale)
    timezone = data.get("timezone") or site.timezone
    _check_enrolment_date(data["enrolled_on"], timezone)
    reminder_time = data.get("reminder_time") or study.reminder_time
    _check_reminder_time(study, reminder_time)
    _check_age(study, data.get("age_at_enrolment"))
    phone = _mobile(data.get("phone"), site)
    _ensure_code_free(study.id, data["study_code"])
    _ensure_phone_free(phone)
    now = utcnow()
    participant = Participant(
        study_id=study.id, site_id=site.id, study_code=data["study_code"],
        enrolled_on=data["enrolled_on"], timezone=timezone, locale=locale, phone_e164=phone,
        sms_consent=data["sms_consent"], sms_consent_at=now if data["sms_consent"] else None,
        reminder_time=reminder_time, proxy_reporter=data["proxy_reporter"],
        status=data["status"], sex=data.get("sex"), age_at_enrolment=data.get("age_at_enrolment"),
        demo=data.get("demo", False), created_at=now, updated_at=now,
    )
    starting = PrescribedDose(effective_from=participant.enrolled_on, dose_mg=study.dose_mg,
                              reason=STARTING_DOSE_REASON, created_by_staff_id=actor.id,
                              created_at=now)
    participant.prescribed_doses.append(starting)
    participant.dose_holds = []
    with _study_code_race():
        db.session.add(participant)
        db.session.flush()
        record_audit(actor, "participant.enrolled", participant,
                     participant_id=participant.id, after=snapshot(participant, AUDITED_FIELDS))
        record_audit(actor, "prescribed_dose.created", starting, participant_id=participant.id,
                     after=snapshot(starting, ("effective_from", "dose_mg")),
                     reason=STARTING_DOSE_REASON)
        # A first reminder can fall due minutes from now: plan it with the enrolment itself.
        replan_participant(participant, now)
        db.session.commit()
    return participant


def update_participant(actor: Actor, participant_id: int, changes: dict) -> Participant:
    """Change a participant's details for a stated reason, auditing before and after."""
    require_editor(actor)
    changes = dict(changes)
    reason = changes.pop("reason")
    participant = get_participant_for_staff(actor, participant_id, for_update=True)
    before = snapshot(participant, AUDITED_FIELDS)
    now = utcnow()
    _apply_changes(actor, participant, changes, reason, now)
    after = snapshot(participant, AUDITED_FIELDS)
    changed = [name for name in AUDITED_FIELDS if before[name] != after[name]]
    if changed:
        participant.updated_at = now
        if before["status"] == "active" and participant.status != "active":
            # A withdrawn or completed participant's phone must stop writing to the diary.
            revoke_participant_credentials(participant.id, now)
        if REMINDER_FIELDS.intersection(changed):
            replan_participant(participant, now)
        record_audit(actor, "participant.updated", participant, participant_id=participant.id,
                     before={name: before[name] for name in changed},
                     after={name: after[name] for name in changed}, reason=reason)
        _commit_or_conflict()
    return get_participant(actor, participant_id)


def _apply_changes(actor: Actor, participant: Participant, changes: dict, reason: str,
                   now) -> None:
    study = db.session.get(Study, participant.study_id)
    site = db.session.get(Site, participant.site_id)
    named = _site_ref(changes)
    if named is not None and named[0] not in (participant.site_id, site.code):
        site = _enrolment_site(actor, *named)
        if site.study_id != participant.study_id:
            raise InvalidInput("The request has invalid fields.",
                               {named[1]: ["That site belongs to another study."]})
        participant.site_id = site.id
    if "study_code" in changes:
        _ensure_code_free(study.id, changes["study_code"], participant.id)
        participant.study_code = changes["study_code"]
    if "locale" in changes:
        _check_locale(study, changes["locale"])
        participant.locale = changes["locale"]
    if "reminder_time" in changes:
        _check_reminder_time(study, changes["reminder_time"])
    if "age_at_enrolment" in changes:
        _check_age(study, changes["age_at_enrolment"])
    was_withdrawn = participant.status == "withdrawn"
    for name in ("timezone", "reminder_time", "proxy_reporter", "status", "sex",
                 "age_at_enrolment"):
        if name in changes:
            setattr(participant, name, changes[name])
    _date_withdrawal(participant, changes, was_withdrawn)
    if "phone" in changes:
        _change_phone(participant, _mobile(changes["phone"], site))
    if participant.status == "active" and {"phone", "status"} & set(changes):
        _ensure_phone_free(participant.phone_e164, participant.id)
    if "sms_consent" in changes:
        _change_consent(participant, changes["sms_consent"], now)
    if participant.sms_consent and participant.phone_e164 is None:
        raise InvalidInput("The request has invalid fields.",
                           {"sms_consent": ["Consent to texts needs a phone number."]})
    if "enrolled_on" in changes and changes["enrolled_on"] != participant.enrolled_on:
        _check_enrolment_date(changes["enrolled_on"], participant.timezone)
        _move_enrolment(actor, participant, changes["enrolled_on"], reason)


def _date_withdrawal(participant: Participant, changes: dict, was_withdrawn: bool) -> None:
    # Adherence windows end on this date, so it is the day staff say, never a guess later:
    # by default the participant's local today when the withdrawal is recorded.
    given = changes.get("withdrawn_on")
    if participant.status != "withdrawn":
        if given is not None:
            raise InvalidInput("The request has invalid fields.", {"withdrawn_on": [
                'Only for a withdrawn participant (status "withdrawn").']})
        participant.withdrawn_on = None
        return
    if given is None and was_withdrawn:
        return
    day = given or local_today(participant.timezone)
    problems = []
    if day < participant.enrolled_on:
        problems.append(f"Before enrolment ({participant.enrolled_on}).")
    if day > local_today(participant.timezone):
        problems.append("In the future (the participant's local today is "
                        f"{local_today(participant.timezone)}).")
    if problems:
        raise InvalidInput("The request has invalid fields.", {"withdrawn_on": problems})
    participant.withdrawn_on = day


def _change_phone(participant: Participant, phone: str | None) -> None:
    if phone == participant.phone_e164:
        return
    participant.phone_e164 = phone
    # A STOP or a failed delivery belonged to the old number, not to the new one.
    participant.sms_opted_out_at = None
    participant.phone_unreachable_at = None


def _change_consent(participant: Participant, consent: bool, now) -> None:
    if consent and not participant.sms_consent:
        participant.sms_consent_at = now
    elif not consent:
        participant.sms_consent_at = None
    participant.sms_consent = consent


def _move_enrolment(actor: Actor, participant: Participant, enrolled_on, reason: str) -> None:
    # Study days are stored with each dose entry and dose changes are dated from
    # enrolment: moving day 1 is safe only before anything hangs on it.
    doses = db.session.execute(
        select(DoseEntry.id).where(DoseEntry.participant_id == participant.id).limit(1)
    ).first()
    holds = db.session.execute(
        select(DoseHold.id).where(DoseHold.participant_id == participant.id).limit(1)
    ).first()
    steps = participant.prescribed_doses
    if doses is not None or holds is not None or len(steps) != 1:
        raise Conflict("The enrolment date cannot change once doses, dose changes or holds "
                       "are recorded.", {"enrolled_on": ["Diary data depends on it."]})
    starting = steps[0]
    before = snapshot(starting, ("effective_from",))
    starting.effective_from = enrolled_on
    participant.enrolled_on = enrolled_on
    record_audit(actor, "prescribed_dose.updated", starting, participant_id=participant.id,
                 before=before, after=snapshot(starting, ("effective_from",)), reason=reason)
