"""Build studies' people and diaries the way the protocol describes them."""

import functools
import itertools
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from diary.clock import utcnow
from diary.extensions import db
from diary.models import (
    AccessToken,
    DoseEntry,
    Participant,
    PrescribedDose,
    Site,
    StaffUser,
    Study,
)
from diary.passwords import hash_password
from diary.rules.doses import DoseInput, body_sha256
from diary.rules.second_factor import code_at, time_step
from diary.rules.study_days import study_day
from diary.tokens import new_token, token_digest

PASSWORD = "correct horse battery staple"
# The TOTP secret of staff made with second_factor=True (base32, 160 bits).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_counter = itertools.count(1)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def default_study() -> Study:
    return db.session.execute(select(Study).where(Study.code == "NCT02495519")).scalar_one()


def load_other_study(tmp_path, code: str = "NCT09999998", *, primary_days: int | None = None,
                     site_code: str | None = None, site_name: str | None = None) -> Site:
    """Load a second study, the default study file under ``code`` (its primary window and
    its site's code and name changed when given), and return its site."""
    from diary.operations.studies import default_study_file, load_study

    text = default_study_file("NCT02495519").read_text(encoding="utf-8")
    text = text.replace('code = "NCT02495519"', f'code = "{code}"')
    if primary_days is not None:
        text = text.replace("primary_days = 112", f"primary_days = {primary_days}")
    if site_code is not None:
        text = text.replace('code = "SEV"', f'code = "{site_code}"')
    if site_name is not None:
        text = text.replace('name = "Severance Hospital"', f'name = "{site_name}"')
    path = tmp_path / f"{code}.toml"
    path.write_text(text, encoding="utf-8")
    study, _ = load_study(path)
    return db.session.execute(select(Site).where(Site.study_id == study.id)).scalar_one()


def default_site(study: Study | None = None) -> Site:
    study = study or default_study()
    return db.session.execute(select(Site).where(Site.study_id == study.id)).scalars().first()


def make_site(code: str | None = None, tz: str = "Asia/Seoul") -> Site:
    study = default_study()
    site = Site(study_id=study.id, code=code or f"X{next(_counter)}", name="Other site",
                timezone=tz)
    db.session.add(site)
    db.session.commit()
    return site


def make_staff(role: str = "coordinator", sites=None, email: str | None = None,
               phone: str | None = None, active: bool = True,
               second_factor: bool = False) -> StaffUser:
    """Add a staff member; ``second_factor``: with a confirmed TOTP factor (TOTP_SECRET)."""
    staff = StaffUser(
        email=email or f"staff{next(_counter)}@example.org",
        password_hash=_password_hash(),
        role=role,
        phone_e164=phone,
        active=active,
        created_at=utcnow(),
        totp_secret=TOTP_SECRET if second_factor else None,
        totp_confirmed_at=utcnow() if second_factor else None,
    )
    staff.sites = list(sites if sites is not None else [default_site()])
    db.session.add(staff)
    db.session.commit()
    return staff


def totp_code(secret: str = TOTP_SECRET, steps_from_now: int = 0) -> str:
    """Return the code an authenticator app holding ``secret`` shows now (or steps away)."""
    return code_at(secret, time_step(utcnow()) + steps_from_now)


def token_for(subject, hours: int = 12, scope: str = "full") -> str:
    """Issue a bearer token for a staff user or a participant's device.

    ``scope="enrol"``: a staff token good only for setting up a second factor.
    """
    token = new_token()
    is_staff = isinstance(subject, StaffUser)
    db.session.add(
        AccessToken(
            token_sha256=token_digest(token),
            kind="staff" if is_staff else "device",
            staff_user_id=subject.id if is_staff else None,
            participant_id=None if is_staff else subject.id,
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=hours),
            scope=scope,
        )
    )
    db.session.commit()
    return token


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def make_participant(
    enrolled: str | date | None = None,
    tz: str = "Asia/Seoul",
    site: Site | None = None,
    study_code: str | None = None,
    locale: str = "ko",
    phone: str | None = "+821012345678",
    sms_consent: bool = True,
    reminder_time: str = "09:00",
    status: str = "active",
    dose_mg: int | str = 400,
    proxy_reporter: bool = False,
) -> Participant:
    """Enrol a participant directly (the enrolment API has its own tests)."""
    site = site or default_site()
    if enrolled is None:
        enrolled = utcnow().date() - timedelta(days=10)
    enrolled_on = date.fromisoformat(enrolled) if isinstance(enrolled, str) else enrolled
    now = utcnow()
    participant = Participant(
        study_id=site.study_id,
        site_id=site.id,
        study_code=study_code or f"S01-{next(_counter):03d}",
        enrolled_on=enrolled_on,
        timezone=tz,
        locale=locale,
        phone_e164=phone,
        sms_consent=sms_consent,
        sms_consent_at=now if sms_consent else None,
        reminder_time=time.fromisoformat(reminder_time),
        proxy_reporter=proxy_reporter,
        status=status,
        created_at=now,
        updated_at=now,
    )
    db.session.add(participant)
    db.session.flush()
    db.session.add(
        PrescribedDose(
            participant_id=participant.id,
            effective_from=enrolled_on,
            dose_mg=Decimal(str(dose_mg)),
            reason="Starting dose per protocol",
            created_at=now,
        )
    )
    db.session.commit()
    return participant


def make_dose(participant: Participant, day: str | date, status: str = "taken",
              dose_mg: int | str | None = 400, source: str = "app", **fields) -> DoseEntry:
    """Store a day's current entry directly (the dose diary's own tests use the API).

    Taken by default, at the participant's prescribed 400 mg; a missed day has no mg.
    Nothing else happens: no reminder is cancelled, no audit event is written.
    """
    day = date.fromisoformat(day) if isinstance(day, str) else day
    dose = DoseInput(client_id=f"c-{participant.id}-{day.isoformat()}", dose_date=day,
                     status=status, dose_mg=dose_mg if status == "taken" else None, **fields)
    entry = DoseEntry(**dose.values(), participant_id=participant.id, version=1,
                      is_current=True, source=source, body_sha256=body_sha256(dose, source=source),
                      recorded_at=utcnow(), study_day=study_day(participant.enrolled_on, day),
                      late=False)
    db.session.add(entry)
    db.session.commit()
    return entry
