"""What a staff account holds, checked and normalised the same way wherever it is set."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from diary.errors import Conflict, InvalidInput
from diary.extensions import db
from diary.models import Site, StaffUser, Study
from diary.operations.sites import resolve_site
from diary.rules.phone import PhoneNumberError, normalise_mobile, region_for_timezone

# What the audit trail records of a staff account, before and after a change; never the
# password hash, never a code.
AUDITED_FIELDS = ("email", "display_name", "role", "site_codes", "phone_e164", "locale",
                  "alerts_enabled", "active")
_INVALID = "The request has invalid fields."
_EMAIL_TAKEN = "A staff account for that e-mail address already exists."


def normalise_email(raw: str) -> str:
    """Return the sign-in e-mail address as stored: trimmed, lower case."""
    email = raw.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
        raise InvalidInput("Not an e-mail address.", {"email": ["Not an e-mail address."]})
    return email


def ensure_email_free(email: str, staff_id: int | None = None) -> None:
    """Refuse an e-mail address another staff account signs in with."""
    taken = db.session.execute(
        select(StaffUser.id).where(func.lower(StaffUser.email) == email,
                                   StaffUser.id != (staff_id or 0))
    ).first()
    if taken is not None:
        raise Conflict(_EMAIL_TAKEN, {"email": ["Already in use."]})


def commit_or_conflict() -> None:
    """Commit; two admins adding one e-mail address at once are told apart by the unique key."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(_EMAIL_TAKEN, {"email": ["Already in use."]}) from exc


def resolve_sites(refs: list) -> list[Site]:
    """Return the sites named by codes or ids, in the order given, each once."""
    sites = [resolve_site(ref, "sites") for ref in refs]
    return list({site.id: site for site in sites}.values())


def check_sites(role: str, sites: list[Site]) -> None:
    """Refuse a coordinator or investigator without a site: they would see nothing."""
    if role != "admin" and not sites:
        raise InvalidInput(_INVALID, {
            "sites": ["Coordinators and investigators need at least one site."]})


def home_sites(staff: StaffUser) -> list[Site]:
    """Return a staff member's sites, the first (lowest id) first."""
    return sorted(staff.sites, key=lambda site: site.id)


def staff_mobile(raw: str | None, sites: list[Site]) -> str | None:
    """Return a mobile number in E.164; a national form is read in the first site's country."""
    if raw is None or not raw.strip():
        return None
    region = region_for_timezone(sites[0].timezone) if sites else None
    try:
        return normalise_mobile(raw, region)
    except PhoneNumberError as exc:
        hint = "" if region else " With no site, write it in international form (+82 10 ...)."
        raise InvalidInput(_INVALID, {"phone": [f"{exc}{hint}"]}) from exc


def offered_locales(sites: list[Site]) -> list[str]:
    """Return the languages the studies of these sites text in (every study's, for none)."""
    statement = select(Study).order_by(Study.id)
    if sites:
        statement = statement.where(Study.id.in_({site.study_id for site in sites}))
    locales = [locale for study in db.session.execute(statement).scalars()
               for locale in study.locales]
    return list(dict.fromkeys(locales)) or ["en"]


def check_locale(locale: str, sites: list[Site]) -> None:
    """Refuse a language the studies of these sites have no texts in."""
    offered = offered_locales(sites)
    if locale not in offered:
        raise InvalidInput(_INVALID, {"locale": [f"The study offers {', '.join(offered)}."]})
