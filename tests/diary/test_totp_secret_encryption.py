"""The TOTP secret is encrypted at rest (like phone numbers), still signs in, is rotated,
and migration 0017 encrypts the secrets already stored (its downgrade decrypts them)."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade

from diary.extensions import db
from diary.models import StaffUser
from diary.operations.studies import default_study_file, load_study
from diary.phone_keys import EXTENSION, from_settings
from tests import factories
from tests.factories import PASSWORD, TOTP_SECRET

FROZEN_AT = datetime(2026, 3, 10, 1, 0, 10, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
LOOKUP_KEY = "a lookup key for these tests, long enough"


def use_keys(app, monkeypatch, keys: str) -> None:
    settings = {"DIARY_PHONE_KEYS": keys, "DIARY_PHONE_LOOKUP_KEY": LOOKUP_KEY}
    monkeypatch.setitem(app.extensions, EXTENSION, from_settings(settings))
    db.session.expire_all()


def raw_secret(staff_id: int) -> str:
    return db.session.execute(sa.text("SELECT totp_secret FROM staff_user WHERE id = :id"),
                              {"id": staff_id}).scalar_one()


def test_the_column_holds_no_secret_and_sign_in_with_a_code_still_works(client, site):
    staff = factories.make_staff("admin", second_factor=True)

    stored = raw_secret(staff.id)
    assert TOTP_SECRET not in stored and TOTP_SECRET.lower() not in stored.lower()
    answer = client.post("/api/v1/auth/login", json={
        "email": staff.email, "password": PASSWORD, "totp_code": factories.totp_code()})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["scope"] == "full"


def test_keys_rotate_re_encrypts_the_totp_secret(app, client, site, monkeypatch):
    use_keys(app, monkeypatch, KEY_A)
    staff = factories.make_staff("admin", second_factor=True)
    before = raw_secret(staff.id)

    use_keys(app, monkeypatch, f"{KEY_B},{KEY_A}")
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])

    assert result.exit_code == 0, result.output
    assert "staff_user.totp_secret: 1 re-encrypted" in result.output
    assert TOTP_SECRET not in result.output
    use_keys(app, monkeypatch, KEY_B)  # the old key is gone: the secret still reads
    after = raw_secret(staff.id)
    assert after != before and TOTP_SECRET not in after
    assert db.session.get(StaffUser, staff.id).totp_secret == TOTP_SECRET


def test_migration_0017_encrypts_stored_secrets_and_its_downgrade_decrypts(migration_app):
    with migration_app.app_context():
        upgrade()
        load_study(default_study_file("NCT02495519"))
        db.session.remove()
        downgrade(revision="0015")
        db.session.execute(sa.text(
            "INSERT INTO staff_user (email, role, locale, alerts_enabled, active, created_at, "
            "failed_sign_ins, totp_secret) VALUES ('kim@example.org', 'admin', 'en', true, "
            "true, '2026-03-01 00:00:00', 0, :secret)"), {"secret": TOTP_SECRET})
        db.session.commit()

        upgrade()
        db.session.remove()
        staff_id = db.session.execute(sa.select(StaffUser.id)).scalar_one()
        assert TOTP_SECRET not in raw_secret(staff_id)
        assert db.session.get(StaffUser, staff_id).totp_secret == TOTP_SECRET
        db.session.remove()

        downgrade(revision="0015")
        assert raw_secret(staff_id) == TOTP_SECRET
        db.session.remove()
