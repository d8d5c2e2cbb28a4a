"""Audit events form hash chains, and ``diary audit verify`` catches a change made behind
the service's back."""

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import select

from diary.actor import Actor
from diary.extensions import db
from diary.models import AuditEvent
from diary.operations.audit import record_audit
from diary.operations.audit_verify import verify_chains
from tests.api.dose_helpers import MY_DOSES, NOON_IN_SEOUL, taken
from tests.api.races import send_together
from tests.conftest import TEST_DATABASE_URL
from tests.factories import auth, make_participant, make_staff, token_for

FROZEN_AT = NOON_IN_SEOUL
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.fixture
def diaries(client, app_context):
    """Two participants with three doses each, and a staff event of no participant."""
    patients = [make_participant(enrolled="2026-03-01") for _ in range(2)]
    for patient in patients:
        headers = auth(token_for(patient))
        for day in ("2026-03-03", "2026-03-04", "2026-03-05"):
            assert client.post(MY_DOSES, json=taken(day), headers=headers).status_code == 201
    admin = auth(token_for(make_staff("admin", sites=[])))
    assert client.post("/api/v1/staff", headers=admin, json={
        "email": "new@example.org", "role": "coordinator", "sites": ["SEV"]}).status_code == 201
    return patients


def _links(chain: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)))


def test_each_participant_and_the_staff_have_a_chain_of_their_own(diaries):
    first, second = diaries
    mine = _links(f"participant:{first.id}")
    assert [link.seq for link in mine] == [1, 2, 3]
    assert {link.participant_id for link in mine} == {first.id}
    assert [link.prev_hash for link in mine[1:]] == [link.hash for link in mine[:-1]]
    assert mine[0].prev_hash == "0" * 64
    assert len(_links(f"participant:{second.id}")) == 3
    assert "staff.created" in {link.action for link in _links("staff")}


def test_verify_reports_an_intact_trail_and_exits_zero(run, diaries):
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.output
    assert verify_chains()[2] == []


def _behind_the_services_back(statement: str, **params) -> None:
    # As the database superuser would on PostgreSQL: the append-only trigger off, the
    # change, back on. (SQLite has no such trigger.)
    postgresql = bool(TEST_DATABASE_URL)
    if postgresql:
        db.session.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER ALL"))
    db.session.execute(sa.text(statement), params)
    if postgresql:
        db.session.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER ALL"))


def test_an_event_altered_behind_the_services_back_is_named(run, diaries):
    patient = diaries[0]
    altered = _links(f"participant:{patient.id}")[1]
    _behind_the_services_back(
        "UPDATE audit_event SET after = :after WHERE id = :id",
        after='{"status": "missed"}', id=altered.id)
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert (f"chain participant:{patient.id}, seq 2, event {altered.id}: the hash does not "
            "match") in result.output
    assert f"participant:{diaries[1].id}" not in result.output  # the other chain is intact


def test_an_event_deleted_behind_the_services_back_is_named(run, diaries):
    patient = diaries[1]
    gone, after_it = _links(f"participant:{patient.id}")[:2]
    _behind_the_services_back("DELETE FROM audit_event WHERE id = :id", id=gone.id)
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert (f"chain participant:{patient.id}, seq 2, event {after_it.id}: seq 1 is missing"
            in result.output)


def test_a_deletion_hidden_by_renumbering_is_named(run, diaries):
    patient = diaries[0]
    _first, gone, third = _links(f"participant:{patient.id}")
    _behind_the_services_back("DELETE FROM audit_event WHERE id = :id", id=gone.id)
    _behind_the_services_back("UPDATE audit_event SET seq = 2 WHERE id = :id", id=third.id)
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert f"seq 2, event {third.id}: prev_hash" in result.output


def test_two_events_can_never_take_one_place_in_a_chain(diaries):
    link = _links(f"participant:{diaries[0].id}")[0]
    copy = {column: getattr(link, column) for column in AuditEvent.__table__.columns.keys()  # noqa: SIM118
            if column != "id"}
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.insert(AuditEvent), copy)


@time_machine.travel(NOON_IN_SEOUL, tick=False)
def test_parallel_writes_for_one_participant_keep_one_unbroken_chain(committed_app):
    with committed_app.app_context():
        patients = [make_participant(enrolled="2026-02-20") for _ in range(2)]
        headers = [auth(token_for(patient)) for patient in patients]
        db.session.remove()
    days = ["2026-02-27", "2026-02-28"] + [f"2026-03-{day:02d}" for day in range(1, 6)]
    for header in headers:  # one participant's days at once, then the other's
        statuses = send_together(committed_app, "POST", MY_DOSES, header,
                                 [taken(day) for day in days])
        assert statuses == [201] * len(days)
    with committed_app.app_context():
        breaks = verify_chains()[2]
        seqs = [link.seq for link in _links(f"participant:{patients[0].id}")]
        db.session.remove()
    assert breaks == []
    assert seqs == list(range(1, len(days) + 1))


def test_what_the_json_column_gives_back_hashes_as_what_was_written(app_context, site):
    participant = make_participant(site=site)
    record_audit(Actor.system(), "test.recorded", participant, participant_id=participant.id,
                 after={10: "ten", 9: ("nine",)})
    db.session.commit()
    db.session.expire_all()
    assert verify_chains()[2] == []
