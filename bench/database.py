"""A fresh benchmark database: our migrations, the default study, enrolled phones.

Enrolment goes through the real API in-process (staff sign-in, enrolment, activation
code, device activation), so the rows are exactly what production would hold.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from diary.app import create_app
from diary.clock import utcnow
from diary.extensions import db
from diary.operations.sessions import create_admin
from diary.operations.studies import default_study_file, load_study

ADMIN_EMAIL = "bench-admin@example.org"
ADMIN_PASSWORD = "bench password, not a secret"  # noqa: S105 - a throwaway local database
# create_admin's recovery codes: the bench signs the admin in with them, one each time.
ADMIN_RECOVERY_CODES: list[str] = []
# Enrolled this long ago, so every participant has this many past days to write.
HISTORY_DAYS = 1500


def sqlalchemy_url(url: str) -> str:
    """Name psycopg 3 in a ``postgresql://`` URL, as the app's settings do."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq_url(url: str) -> str:
    """Return a plain ``postgresql://`` URL for psycopg itself."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (only that one)."""
    target = sa.engine.make_url(sqlalchemy_url(url))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = target.database.replace('"', '""')
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


def prepare(url: str, participants: int, history_days: int = HISTORY_DAYS) -> list[dict]:
    """Make a fresh database and enrol ``participants`` phones; return them.

    Each item holds ``token`` (the device's bearer token), ``id``, ``study_code`` and
    ``enrolled_on`` (``history_days`` ago).
    """
    recreate_database(url)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
        "SECRET_KEY": "bench",
        "DIARY_SMS_SENDER": "console",
        "DIARY_LOG_LEVEL": "WARNING",
        # The set-up activates every phone from one client, far past the 10 a minute
        # that stops a guesser: limits are for the app under load, not for its set-up.
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        study, _ = load_study(default_study_file(app.config["DIARY_DEFAULT_STUDY"]))
        site_id = db.session.execute(
            sa.text("SELECT id FROM site WHERE study_id = :s ORDER BY id LIMIT 1"),
            {"s": study.id},
        ).scalar_one()
        _, _, ADMIN_RECOVERY_CODES[:] = create_admin(ADMIN_EMAIL, ADMIN_PASSWORD)
        db.session.remove()
    client = app.test_client()
    staff = _sign_in(client)
    enrolled_on = (utcnow() - timedelta(days=history_days)).date().isoformat()
    phones = [_enrol(client, staff, site_id, n, enrolled_on) for n in range(participants)]
    with app.app_context():
        db.engine.dispose()
    return phones


def _ok(response, status: int) -> dict:
    if response.status_code != status:
        raise RuntimeError(f"set-up step failed: {response.status_code} {response.get_json()}")
    return response.get_json()


def admin_sign_in(client) -> str:
    """Sign the admin in with a recovery code as the second factor (one per sign-in)."""
    body = _ok(client.post("/api/v1/auth/login", json={
        "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
        "recovery_code": ADMIN_RECOVERY_CODES.pop()}), 200)
    return body["access_token"]


def _sign_in(client) -> dict:
    return {"Authorization": f"Bearer {admin_sign_in(client)}"}


def _enrol(client, staff: dict, site_id: int, number: int, enrolled_on: str) -> dict:
    participant = _ok(client.post("/api/v1/participants", headers=staff, json={
        "study_code": f"B{number // 1000:02d}-{number % 1000:03d}",
        "site_id": site_id,
        "enrolled_on": enrolled_on,
        "timezone": "Asia/Seoul",
        "locale": "ko",
        "phone": f"+8210{55500000 + number:08d}",
        "sms_consent": True,
    }), 201)
    path = f"/api/v1/participants/{participant['id']}/activation-code"
    code = _ok(client.post(path, headers=staff), 201)["code"]
    token = _ok(client.post("/api/v1/auth/activate", json={"code": code}), 200)["access_token"]
    return {"id": participant["id"], "token": token, "enrolled_on": enrolled_on,
            "study_code": participant["study_code"]}
