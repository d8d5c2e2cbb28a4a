"""``diary demo``: the synthetic cohort, seeded through the real operations, once."""

import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import (
    AdverseEventVersion,
    AuditEvent,
    DoseEntry,
    DoseHold,
    Participant,
    PrescribedDose,
    TumourAssessment,
    TumourAssessmentVersion,
)
from diary.rules.demo_cohort import plan_cohort
from tests.factories import make_participant

FROZEN_AT = "2026-12-01T03:00:00Z"
ANCHOR = date(2026, 12, 1)  # the local day in Seoul at FROZEN_AT
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        # --force: the suite also runs on PostgreSQL, a scratch database.
        return runner.invoke(args=["demo", "--force", *args])

    return invoke


def _demo_participants():
    return db.session.execute(
        select(Participant).where(Participant.demo.is_(True)).order_by(Participant.study_code)
    ).scalars().all()


def _count(statement) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def test_demo_seeds_21_participants_marked_as_demo_and_prints_a_login(run):
    result = run("--seed", "15")
    assert result.exit_code == 0, result.output
    assert "demo-coordinator@example.org" in result.output
    assert re.search(r"password: \S{12,}", result.output)
    people = _demo_participants()
    assert [p.study_code for p in people] == [f"DEMO-{n:02d}" for n in range(1, 22)]
    assert all(p.demo and p.phone_e164 is None for p in people)


def test_the_seeded_diary_is_the_plan_for_its_seed(run):
    assert run("--seed", "4").exit_code == 0
    plan = {person.study_code: person for person in plan_cohort(4, ANCHOR)}
    taken = dict(db.session.execute(
        select(Participant.study_code, func.count())
        .join(DoseEntry, DoseEntry.participant_id == Participant.id)
        .where(DoseEntry.is_current.is_(True), DoseEntry.status == "taken")
        .group_by(Participant.study_code)).all())
    assert taken == {code: sum(d.status == "taken" for d in person.doses)
                     for code, person in plan.items()}
    terms = Counter(db.session.scalars(
        select(AdverseEventVersion.ctcae_term).where(AdverseEventVersion.is_current.is_(True))))
    assert terms == Counter(e.term for person in plan.values() for e in person.events)


def test_each_participant_has_the_planned_week_16_assessment_on_day_112(run):
    assert run("--seed", "4").exit_code == 0
    plan = {person.study_code: person for person in plan_cohort(4, ANCHOR)}
    visits = db.session.execute(
        select(Participant.study_code, Participant.enrolled_on,
               TumourAssessmentVersion.visit_date, TumourAssessmentVersion.response)
        .join(TumourAssessment, TumourAssessment.participant_id == Participant.id)
        .join(TumourAssessmentVersion,
              TumourAssessmentVersion.assessment_id == TumourAssessment.id)).all()
    assert {code: (visit - enrolled).days + 1 for code, enrolled, visit, _ in visits} == {
        code: 112 for code in plan}
    assert {code: response for code, _, _, response in visits} == {
        code: person.week16_response for code, person in plan.items()}


def test_the_story_goes_through_the_operations_with_audit_late_entries_and_corrections(run):
    assert run("--seed", "15").exit_code == 0
    audited = dict(db.session.execute(
        select(AuditEvent.action, func.count()).group_by(AuditEvent.action)).all())
    entries = _count(select(DoseEntry.id))
    assert audited["participant.enrolled"] == 21
    assert audited["dose.recorded"] + audited["dose.corrected"] == entries
    assert audited["adverse_event.recorded"] > 20
    assert _count(select(DoseEntry.id).where(DoseEntry.version == 2,
                                             DoseEntry.correction_reason.is_not(None))) > 5
    late = _count(select(DoseEntry.id).where(DoseEntry.is_current.is_(True), DoseEntry.late))
    assert 0 < late < entries / 10
    assert _count(select(PrescribedDose.id).where(PrescribedDose.dose_mg == 300)) == 1
    assert _count(select(DoseHold.id)) >= 1
    serious = _count(select(AdverseEventVersion.id).where(
        AdverseEventVersion.is_current.is_(True), AdverseEventVersion.serious))
    assert 1 <= serious <= 2


def test_demo_seeds_once(run):
    assert run().exit_code == 0
    entries = _count(select(DoseEntry.id))
    again = run()
    assert again.exit_code == 0
    assert "already seeded" in again.output
    assert len(_demo_participants()) == 21
    assert _count(select(DoseEntry.id)) == entries


def test_if_new_leaves_a_database_with_participants_alone(run):
    make_participant(study_code="S01-001")
    result = run("--if-new")
    assert result.exit_code == 0
    assert "no demo cohort seeded" in result.output
    assert _demo_participants() == []


def test_demo_refuses_a_database_that_is_not_sqlite_without_force(app, monkeypatch):
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql://db.example/trial")
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "Refusing" in result.output
    assert _demo_participants() == []
