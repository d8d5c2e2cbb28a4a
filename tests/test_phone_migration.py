"""Migration 0014 encrypts the numbers and texts already stored, and its downgrade decrypts."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from diary.extensions import db
from diary.models import InboundMessage, Participant, StaffUser
from diary.operations.studies import default_study_file, load_study
from diary.phone_keys import phone_lookup

PHONE, STAFF_PHONE = "+821012345678", "+821099990000"
BODY = "I feel dizzy today"
NOW = "2026-03-01 00:00:00"
BEFORE_0014 = "0012"  # the migration 0014 follows


def _rows_before_0014() -> None:
    """Write a participant, a staff member and an inbound text as 0012 stored them."""
    study_id = db.session.execute(sa.text("SELECT id FROM study")).scalar()
    site_id = db.session.execute(sa.text("SELECT id FROM site")).scalar()
    statements = (
        "INSERT INTO participant (study_id, site_id, study_code, enrolled_on, timezone, "
        "locale, phone_e164, sms_consent, reminder_time, proxy_reporter, status, created_at, "
        "updated_at) VALUES (:study, :site, 'S01-001', '2026-03-01', 'Asia/Seoul', 'ko', "
        ":phone, true, '09:00:00', false, 'active', :now, :now)",
        "INSERT INTO staff_user (email, role, phone_e164, locale, alerts_enabled, active, "
        "created_at, failed_sign_ins) VALUES ('kim@example.org', 'coordinator', :staff, 'en', "
        "true, true, :now, 0)",
        "INSERT INTO inbound_message (message_sid, from_e164, body, intent, received_at) "
        "VALUES ('SM1', :phone, :body, 'unknown', :now)",
    )
    for statement in statements:
        db.session.execute(sa.text(statement), {
            "study": study_id, "site": site_id, "phone": PHONE, "staff": STAFF_PHONE,
            "body": BODY, "now": NOW})
    db.session.commit()


def _raw() -> list:
    return [*db.session.execute(sa.text(
        "SELECT phone_e164 FROM participant UNION ALL SELECT phone_e164 FROM staff_user "
        "UNION ALL SELECT from_e164 FROM inbound_message UNION ALL "
        "SELECT body FROM inbound_message")).scalars()]


def test_upgrade_encrypts_what_is_there_and_downgrade_decrypts_it(migration_app):
    with migration_app.app_context():
        # The study is loaded by today's code (its audit events need today's columns),
        # then the schema goes back to just before 0014 for the rows 0014 must encrypt.
        upgrade()
        load_study(default_study_file("NCT02495519"))
        db.session.remove()
        downgrade(revision=BEFORE_0014)
        _rows_before_0014()

        upgrade()  # to the head: the models read the later migrations' columns too
        db.session.remove()
        assert all("12345678" not in value and "99990000" not in value and "dizzy" not in value
                   for value in _raw())
        participant = db.session.execute(sa.select(Participant)).scalar_one()
        assert participant.phone_e164 == PHONE
        assert participant.phone_lookup == phone_lookup(PHONE)
        staff = db.session.execute(sa.select(StaffUser)).scalar_one()
        assert (staff.phone_e164, staff.phone_lookup) == (STAFF_PHONE, phone_lookup(STAFF_PHONE))
        inbound = db.session.execute(sa.select(InboundMessage)).scalar_one()
        assert (inbound.from_e164, inbound.body) == (PHONE, BODY)
        db.session.remove()

        downgrade(revision=BEFORE_0014)
        assert sorted(_raw()) == sorted([PHONE, STAFF_PHONE, PHONE, BODY])
        db.session.remove()
