"""The CDISC SDTM export: gather each participant's records, write the package, audit it.

Staff see their own sites' participants (admins every site); the ``diary export sdtm``
command runs as the system and sees every site. Nothing identifying is exported: no
phone number, no name, only the study code (SUBJID).
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import select, true
from sqlalchemy.orm import selectinload

from diary.actor import Actor
from diary.errors import Conflict, Forbidden, InvalidInput
from diary.exports.sdtm.package import ExportSummary, default_builders, write_package
from diary.exports.sdtm.rs import RS, AssessmentRow
from diary.exports.sdtm.subject import DomainBuilder, Subject
from diary.exports.sdtm.ts import TS, Trial
from diary.exports.sdtm.xpt import XptError
from diary.extensions import db
from diary.models import (
    AdverseEvent,
    AdverseEventVersion,
    DoseEntry,
    DoseHold,
    Participant,
    PrescribedDose,
    Site,
    Study,
    SymptomAnswer,
    SymptomReport,
    TumourAssessment,
    TumourAssessmentVersion,
)
from diary.operations.audit import record_audit
from diary.operations.scope import at_staff_sites
from diary.rules.study_design import study_arm
from diary.rules.symptom_items import catalogue

# Every staff role reads the datasets of its own sites: investigators analyse them,
# coordinators hand them to the statistician, admins see every site.
EXPORTERS = ("admin", "coordinator", "investigator")
# Participants loaded at once: memory stays flat however large the study.
BATCH = 200


class _Export:
    """The audit trail's entity for an export: it has no row of its own."""

    __tablename__ = "export"
    id = None


def _visible(actor: Actor):
    if actor.type == "system":
        return true()
    if actor.staff is None or actor.staff.role not in EXPORTERS:
        raise Forbidden("Your role does not allow this.")
    return at_staff_sites(actor, Participant.site_id)


def sdtm_builders(study: Study | None = None) -> list[DomainBuilder]:
    """Return the domains exported: DM, EC, EX, AE, QS, VS (and their SUPP--), RS and,
    given the study, TS."""
    trial = [TS(Trial.from_study(study))] if study is not None else []
    return [*default_builders(), RS(lambda subject: subject.assessments), *trial]


def export_sdtm(actor: Actor, zip_path: Path,
                builders: Sequence[DomainBuilder] | None = None, *,
                study: str | None = None) -> ExportSummary:
    """Write the SDTM zip of the actor's participants to ``zip_path`` and audit the export.

    A package holds one study (its DM, its STUDYID): ``study`` names it, and may be left
    out while the actor's participants are all of one study. Raises InvalidInput (422)
    for a study not in view, or for none named when two are; Conflict when the data
    cannot be written as SAS transport version 5 (a value over 200 bytes, say), naming
    the dataset, variable and record.
    """
    scope = _visible(actor)
    sites = sorted(actor.staff.site_ids) if actor.staff and not actor.staff.is_admin else "all"
    exported = _one_study(scope, study)
    ids = db.session.execute(
        select(Participant.id).where(scope, Participant.study_id == exported.id)
        .order_by(Participant.study_code, Participant.id)
    ).scalars().all() if exported is not None else []
    try:
        summary = write_package(_subjects(ids), zip_path, builders or sdtm_builders(exported))
    except XptError as exc:
        db.session.rollback()
        raise Conflict(f"The datasets cannot be written as SAS transport: {exc}") from exc
    record_audit(actor, "export.sdtm", _Export(), after={
        "participants": summary.subjects, "records": summary.records,
        "non_ascii_replaced": summary.non_ascii_replaced,
        "site_ids": sites, "study": exported.code if exported is not None else None,
    })
    db.session.commit()
    return summary


def _one_study(scope, code: str | None) -> Study | None:
    # Of the studies of the participants in view, the one named, or the only one (None:
    # nobody in view).
    studies = {study.code: study for study in db.session.execute(
        select(Study).where(Study.id.in_(select(Participant.study_id).where(scope)))
        .order_by(Study.code)).scalars()}
    if code is not None:
        if code not in studies:
            raise InvalidInput("The request has invalid fields.", {"study": [
                f"No participant of yours is in {code} (yours: "
                f"{', '.join(studies) or 'none'})."]})
        return studies[code]
    if len(studies) > 1:
        raise InvalidInput("The request has invalid fields.", {"study": [
            f"Your participants are in {len(studies)} studies ({', '.join(studies)}): name "
            "one. An SDTM package holds one study's datasets."]})
    return next(iter(studies.values()), None)


def _subjects(ids: Sequence[int]) -> Iterator[Subject]:
    studies: dict[int, tuple[Study, dict]] = {}
    for first in range(0, len(ids), BATCH):
        batch = ids[first:first + BATCH]
        participants = db.session.execute(
            select(Participant).where(Participant.id.in_(batch))
            .order_by(Participant.study_code, Participant.id)
        ).scalars().all()
        records = _records(batch)
        for participant in participants:
            if participant.study_id not in studies:
                study = db.session.get(Study, participant.study_id)
                studies[participant.study_id] = (study, catalogue(study.definition))
            study, items = studies[participant.study_id]
            yield _subject(participant, study, items, records)
        # No expunge needed: the session's identity map holds unchanged rows weakly, so a
        # finished batch is freed once nothing here refers to it.


def _records(ids: list[int]) -> dict[str, dict[int, list]]:
    by = defaultdict(lambda: defaultdict(list))
    queries = {
        "doses": select(DoseEntry).where(DoseEntry.participant_id.in_(ids),
                                         DoseEntry.is_current.is_(True)),
        "steps": select(PrescribedDose).where(PrescribedDose.participant_id.in_(ids))
        .order_by(PrescribedDose.effective_from, PrescribedDose.id),
        "holds": select(DoseHold).where(DoseHold.participant_id.in_(ids)),
        "reports": select(SymptomReport).where(SymptomReport.participant_id.in_(ids))
        .options(selectinload(SymptomReport.answers).selectinload(SymptomAnswer.scores)),
    }
    for name, statement in queries.items():
        for row in db.session.execute(statement).scalars():
            by[name][row.participant_id].append(row)
    events = db.session.execute(
        select(AdverseEvent.participant_id, AdverseEventVersion)
        .join(AdverseEventVersion, AdverseEventVersion.adverse_event_id == AdverseEvent.id)
        .where(AdverseEvent.participant_id.in_(ids), AdverseEventVersion.is_current.is_(True))
    )
    for participant_id, version in events:
        by["adverse_events"][participant_id].append(version)
    assessments = db.session.execute(
        select(TumourAssessment.participant_id, TumourAssessmentVersion.visit_date,
               TumourAssessmentVersion.response)
        .join(TumourAssessmentVersion,
              TumourAssessmentVersion.assessment_id == TumourAssessment.id)
        .where(TumourAssessment.participant_id.in_(ids),
               TumourAssessmentVersion.is_current.is_(True))
    )
    for participant_id, visit_date, response in assessments:
        by["assessments"][participant_id].append(
            AssessmentRow(participant_id, visit_date, response))
    return by


def _subject(participant: Participant, study: Study, items: dict, records: dict) -> Subject:
    site = db.session.get(Site, participant.site_id)
    arm = study_arm(study.definition)
    country = next((entry.get("country", "") for entry in study.definition.get("sites", [])
                    if entry.get("code") == site.code), "")
    return Subject(
        studyid=study.code, subjid=participant.study_code, siteid=site.code, country=country,
        enrolled_on=participant.enrolled_on, timezone=participant.timezone,
        sex=participant.sex, age=participant.age_at_enrolment, arm_code=arm.code,
        arm_name=arm.name, drug=study.drug, route=study.route, items=items,
        participant_id=participant.id,
        **{name: records[name][participant.id]
           for name in ("doses", "steps", "holds", "adverse_events", "reports",
                        "assessments")},
    )
