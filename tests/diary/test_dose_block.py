"""The blocks the adherence report reads (``dose_block``) hold what the current entries sum to.

Triggers keep them (migration 0019). Here entries are written and corrected through the
phone's API, as a participant does, and by hand the way a bulk load or a repair would;
after each, every block must equal the sums recomputed from the current entries in Python.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diary.extensions import db
from diary.models import DoseBlock, DoseEntry
from diary.models.dose_block import BLOCK_DAYS, REASON_FIELDS
from diary.models.dose_entry import MISSED_REASONS
from diary.operations.studies import default_study_file, load_study
from tests.api.dose_helpers import MY_DOSES, missed, taken
from tests.factories import auth, make_participant, token_for

FROZEN_AT = "2026-04-30T03:00:00Z"  # noon in Seoul, study day 60 of an enrolment on 1 March
ENROLLED = date(2026, 3, 1)
pytestmark = pytest.mark.usefixtures("clock")


def _blocks_from_the_entries(participant_id: int) -> dict[int, dict]:
    blocks: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    entries = db.session.execute(sa.select(DoseEntry).where(
        DoseEntry.participant_id == participant_id, DoseEntry.is_current)).scalars()
    for entry in entries:
        block, day = divmod(entry.study_day - 1, BLOCK_DAYS)
        sums = blocks[block]
        if entry.status == "taken":
            sums["taken_days"] += 1 << day
            sums["mg_cents"] += int(entry.dose_mg * 100)
            sums["vomited"] += entry.vomited
        else:
            column, shift = REASON_FIELDS[entry.missed_reason]
            sums[f"missed_reasons_{column}"] += 1 << shift
        sums["late"] += entry.late
    return {block: {name: value for name, value in sums.items() if value}
            for block, sums in blocks.items()}


def _blocks_kept(participant_id: int) -> dict[int, dict]:
    columns = ("taken_days", "missed_reasons_0", "missed_reasons_1", "mg_cents", "late",
               "vomited")
    rows = db.session.execute(sa.select(DoseBlock).where(
        DoseBlock.participant_id == participant_id)).scalars()
    # A block whose entries all stopped counting stays, at zero; compare what is not zero.
    return {row.block: {name: getattr(row, name) for name in columns if getattr(row, name)}
            for row in rows if any(getattr(row, name) for name in columns)}


def _write(client, headers, offset: int, kind: str, detail, vomited: bool, correcting: bool):
    day = (ENROLLED + timedelta(days=offset)).isoformat()
    extra = {"correction_reason": "Entered wrongly"} if correcting else {}
    if kind == "taken":
        body = taken(day, dose_mg=detail, vomited=vomited, **extra)
    else:
        if detail == "other":
            extra["missed_reason_text"] = "Travelling"
        body = missed(day, missed_reason=detail, **extra)
    response = client.post(MY_DOSES, json=body, headers=headers)
    assert response.status_code == 201, response.get_json()


writes = st.lists(st.tuples(
    st.integers(0, 59),
    st.one_of(st.tuples(st.just("taken"), st.sampled_from([400, 300, 200, 133.33])),
              st.tuples(st.just("missed"), st.sampled_from([None, *MISSED_REASONS]))),
    st.booleans()), min_size=1, max_size=40)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(writes=writes)
def test_each_block_sums_the_current_entries_through_writes_and_corrections(client, writes):
    patient = make_participant(enrolled=ENROLLED.isoformat(), tz="Asia/Seoul", phone=None,
                               sms_consent=False)
    headers = auth(token_for(patient, hours=24 * 90))
    written = set()
    for offset, (kind, detail), vomited in writes:
        _write(client, headers, offset, kind, detail, vomited, correcting=offset in written)
        written.add(offset)
    assert _blocks_kept(patient.id) == _blocks_from_the_entries(patient.id)
    # Days up to 26 April (offset 56) ended over 72 hours before now: written late, and
    # the late flag is counted too.
    assert any(sums.get("late") for sums in _blocks_kept(patient.id).values()) == any(
        offset <= 56 for offset, _, _ in writes)


def test_a_superseded_or_deleted_entry_leaves_its_block(app_context):
    patient = make_participant(enrolled=ENROLLED.isoformat(), tz="Asia/Seoul", phone=None,
                               sms_consent=False)

    def entry(day: int, version: int, status: str, mg=None, reason=None) -> DoseEntry:
        return DoseEntry(participant_id=patient.id, dose_date=ENROLLED + timedelta(days=day),
                         version=version, is_current=True, status=status,
                         dose_mg=None if mg is None else Decimal(mg), missed_reason=reason,
                         source="staff", client_id=f"w-{day}-{version}", body_sha256="0" * 64,
                         recorded_at=db.func.now(), study_day=day + 1, late=False)

    first, other = entry(8, 1, "taken", 400), entry(9, 1, "missed", reason="forgot")
    db.session.add_all([first, other])
    db.session.flush()
    assert _blocks_kept(patient.id) == {0: {"taken_days": 1 << 8, "mg_cents": 40000,
                                            "missed_reasons_0": 1}}  # forgot: field 0
    first.is_current = False  # a correction: the old version stops counting ...
    db.session.flush()
    db.session.add(entry(8, 2, "taken", "133.33"))  # ... and the new one counts
    db.session.delete(other)
    db.session.flush()
    assert _blocks_kept(patient.id) == {0: {"taken_days": 1 << 8, "mg_cents": 13333}}
    assert _blocks_kept(patient.id) == _blocks_from_the_entries(patient.id)


def test_migration_0019_sums_the_entries_already_there(migration_app):
    # Entries written with no blocks kept (0018), then 0019: the blocks it sums are the
    # entries' own, superseded versions left out; downgrading takes the table away.
    with migration_app.app_context():
        upgrade()
        load_study(default_study_file("NCT02495519"))
        patient = make_participant(enrolled=ENROLLED.isoformat(), tz="Asia/Seoul", phone=None,
                                   sms_consent=False)
        db.session.commit()
        patient_id = patient.id
        db.session.remove()
        downgrade(revision="0018")
        with db.engine.begin() as connection:
            for day, version, current, status, mg in ((0, 1, True, "taken", 400),
                                                      (1, 1, False, "taken", 400),
                                                      (1, 2, True, "missed", None),
                                                      (57, 1, True, "taken", 300)):
                connection.execute(sa.text(
                    "INSERT INTO dose_entry (participant_id, dose_date, version, is_current, "
                    "status, dose_mg, vomited, source, client_id, body_sha256, recorded_at, "
                    "study_day, late) VALUES (:p, :d, :v, :c, :s, :mg, false, 'app', :client, "
                    "'0', '2026-04-01 00:00:00', :day, :late)"),
                    {"p": patient_id, "d": ENROLLED + timedelta(days=day), "v": version,
                     "c": current, "s": status, "mg": mg, "client": f"m-{day}-{version}",
                     "day": day + 1, "late": day == 57})
        upgrade()
        assert _blocks_kept(patient_id) == {
            0: {"taken_days": 1, "mg_cents": 40000, "missed_reasons_1": 1 << 42},
            1: {"taken_days": 1 << 1, "mg_cents": 30000, "late": 1}}
        assert _blocks_kept(patient_id) == _blocks_from_the_entries(patient_id)
        db.session.remove()
        downgrade(revision="0018")
        assert "dose_block" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
