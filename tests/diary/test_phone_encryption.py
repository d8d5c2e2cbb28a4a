"""Phone numbers and inbound texts encrypted at rest, found by a keyed hash, keys rotated."""

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text, update

from diary.app import create_app
from diary.extensions import db
from diary.models import InboundMessage, Participant, StaffUser
from diary.phone_keys import EXTENSION, PhoneKeyError, PhoneKeys, from_settings
from tests import factories
from tests.api.twilio_signing import AUTH_TOKEN, post_signed

FROZEN_AT = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("clock")

PHONE = "+821012345678"
STAFF_PHONE = "+821099990000"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
LOOKUP_KEY = "a lookup key for these tests, long enough"
REAL_KEYS = {"DIARY_PHONE_KEYS": KEY_A, "DIARY_PHONE_LOOKUP_KEY": LOOKUP_KEY}


@pytest.fixture
def use_keys(app, monkeypatch):
    """Switch the running app's keys, as a restart with new environment variables would."""

    def switch(keys: str, lookup: str = LOOKUP_KEY):
        settings = {"DIARY_PHONE_KEYS": keys, "DIARY_PHONE_LOOKUP_KEY": lookup}
        monkeypatch.setitem(app.extensions, EXTENSION, from_settings(settings))
        db.session.expire_all()

    return switch


@pytest.fixture(autouse=True)
def signed_by_twilio(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)


def sms(client, body, sid="SM" + "a" * 32, sender=PHONE):
    return post_signed(client, "/webhooks/twilio/sms",
                       {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body})


def raw_rows() -> list[str]:
    """Every stored phone and inbound text, read with plain SQL as a stolen backup would be."""
    queries = ("SELECT phone_e164 || ' ' || phone_lookup FROM participant "
               "WHERE phone_e164 IS NOT NULL",
               "SELECT phone_e164 || ' ' || phone_lookup FROM staff_user "
               "WHERE phone_e164 IS NOT NULL",
               "SELECT from_e164 || ' ' || body FROM inbound_message")
    return [row for query in queries for row in db.session.execute(text(query)).scalars()]


def test_the_database_holds_no_phone_digits_and_no_text(client, site):
    participant = factories.make_participant(phone=PHONE)
    factories.make_staff(phone=STAFF_PHONE)
    sms(client, "I feel dizzy today")

    stored = raw_rows()
    assert len(stored) == 3
    for value in stored:
        for secret in ("12345678", "1012345678", "99990000", "dizzy"):
            assert secret not in value
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).phone_e164 == PHONE
    inbound = db.session.execute(select(InboundMessage)).scalar_one()
    assert (inbound.from_e164, inbound.body) == (PHONE, "I feel dizzy today")


def test_an_inbound_text_finds_its_participant_by_the_lookup_hash(client, site):
    factories.make_participant(phone="+821011112222")
    participant = factories.make_participant(phone=PHONE)

    sms(client, "1")

    inbound = db.session.execute(select(InboundMessage)).scalar_one()
    assert inbound.participant_id == participant.id
    assert inbound.intent == "taken"


def test_an_encrypted_column_cannot_be_compared_by_mistake(site):
    with pytest.raises(TypeError, match="lookup hash"):
        select(Participant).where(Participant.phone_e164 == PHONE)
    with pytest.raises(TypeError, match="lookup hash"):
        select(Participant).where(Participant.phone_e164.in_([PHONE]))
    # IS NULL still works: NULL is not encrypted.
    assert select(Participant).where(Participant.phone_e164.is_(None)) is not None


def test_rotation_moves_every_value_to_the_new_key(app, client, site, use_keys):
    use_keys(KEY_A)
    participant = factories.make_participant(phone=PHONE)
    staff = factories.make_staff(phone=STAFF_PHONE)
    sms(client, "1")
    before = raw_rows()

    use_keys(f"{KEY_B},{KEY_A}")
    result = app.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "1"])

    assert result.exit_code == 0, result.output
    assert "participant.phone_e164: 1 re-encrypted" in result.output
    assert "inbound_message.body: 1 re-encrypted" in result.output
    assert PHONE not in result.output and STAFF_PHONE not in result.output
    use_keys(KEY_B)
    assert db.session.get(Participant, participant.id).phone_e164 == PHONE
    assert db.session.get(StaffUser, staff.id).phone_e164 == STAFF_PHONE
    assert db.session.execute(select(InboundMessage.body)).scalar_one() == "1"
    assert set(raw_rows()).isdisjoint(before)


def test_rotating_again_changes_nothing(app, site, use_keys):
    use_keys(KEY_A)
    factories.make_participant(phone=PHONE)
    use_keys(f"{KEY_B},{KEY_A}")
    runner = app.test_cli_runner()
    runner.invoke(args=["keys", "rotate"])
    stored = raw_rows()

    again = runner.invoke(args=["keys", "rotate"])

    assert "participant.phone_e164: 0 re-encrypted, 1 already under the newest key" in (
        again.output)
    assert raw_rows() == stored


def test_a_number_changed_during_rotation_is_left_as_written(app, site, use_keys, monkeypatch):
    use_keys(KEY_A)
    participant = factories.make_participant(phone=PHONE)
    use_keys(f"{KEY_B},{KEY_A}")
    rotate = PhoneKeys.rotate

    def changed_meanwhile(keys, token):
        # A coordinator saves a new number between the rotation's read and its write.
        db.session.execute(update(Participant).where(Participant.id == participant.id)
                           .values(phone_e164="+821011112222"))
        return rotate(keys, token)

    monkeypatch.setattr(PhoneKeys, "rotate", changed_meanwhile)
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])

    assert "participant.phone_e164: 0 re-encrypted" in result.output
    assert "1 changed meanwhile" in result.output
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).phone_e164 == "+821011112222"


def test_a_new_lookup_key_finds_participants_again_after_rotation(app, client, site, use_keys):
    use_keys(KEY_A)
    participant = factories.make_participant(phone=PHONE)
    use_keys(KEY_A, lookup="another lookup key, just as long as the first")

    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    sms(client, "1")

    assert "1 lookup hashes refreshed" in result.output
    inbound = db.session.execute(select(InboundMessage)).scalar_one()
    assert inbound.participant_id == participant.id


def test_a_key_removed_too_soon_is_reported_not_guessed(app, site, use_keys):
    use_keys(KEY_A)
    participant = factories.make_participant(phone=PHONE)
    use_keys(KEY_B)

    with pytest.raises(PhoneKeyError, match="not readable"):
        db.session.get(Participant, participant.id).phone_e164  # noqa: B018
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code != 0
    assert "1 values are readable with no configured key" in result.output


@pytest.mark.parametrize("missing", ["DIARY_PHONE_KEYS", "DIARY_PHONE_LOOKUP_KEY"])
def test_production_refuses_to_start_without_real_keys(database_url, missing):
    settings = {**REAL_KEYS, missing: "", "DIARY_ENV": "production",
                "SQLALCHEMY_DATABASE_URI": database_url}
    with pytest.raises(PhoneKeyError, match=missing):
        create_app(settings)


def test_production_refuses_the_development_key(database_url):
    from diary.phone_keys import DEV_FERNET_KEY

    settings = {**REAL_KEYS, "DIARY_PHONE_KEYS": f"{KEY_A},{DEV_FERNET_KEY}",
                "DIARY_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url}
    with pytest.raises(PhoneKeyError, match="development key"):
        create_app(settings)


def test_production_starts_with_real_keys_and_a_bad_key_never_starts(database_url):
    settings = {**REAL_KEYS, "DIARY_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url}
    app = create_app(settings)
    with app.app_context():
        db.engine.dispose()
    with pytest.raises(PhoneKeyError, match="Fernet key"):
        create_app({**settings, "DIARY_PHONE_KEYS": "not-a-key"})
