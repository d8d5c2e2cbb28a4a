"""Loading study definition files."""

import hashlib
import tomllib
from datetime import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from diary.actor import Actor
from diary.clock import utcnow
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import Site, Study
from diary.operations.audit import record_audit
from diary.paths import STUDIES_DIR
from diary.rules.adverse_events import term_list_problems
from diary.rules.alerts import ladder_problems
from diary.rules.phone import PhoneNumberError, normalise_phone, region_for_timezone
from diary.rules.primary_endpoint import window_problems
from diary.rules.safety import safety_problems
from diary.rules.study_design import design_problems
from diary.rules.symptom_items import catalogue, catalogue_problems
from diary.rules.symptom_texts import text_problems

REQUIRED_TEMPLATES = ("reminder", "follow_up", "recorded", "help", "not_understood",
                      "opted_in", "staff_alert", "staff_escalation", "staff_report_overdue")


def default_study_file(code: str) -> Path:
    """Return the path of a study definition shipped with the package."""
    return STUDIES_DIR / f"{code}.toml"


def shipped_item_keys() -> tuple[str, ...]:
    """Return the symptom item keys of the study files shipped in the package, in order.

    The OpenAPI document lists them as the item keys' enum; a study loaded from elsewhere
    may have others (``GET /me/symptom-items`` gives a participant's own).
    """
    keys: dict[str, None] = {}
    for path in sorted(STUDIES_DIR.glob("*.toml")):
        keys.update(dict.fromkeys(catalogue(tomllib.loads(path.read_text(encoding="utf-8")))))
    return tuple(keys)


def parse_definition(raw: bytes) -> dict:
    """Parse and check a study definition; raise InvalidInput naming what is wrong."""
    try:
        definition = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"The study file is not valid TOML: {exc}") from exc
    problems = {}
    for key in ("code", "title", "drug", "regimen", "windows", "adherence", "reminders",
                "sites", "sms", "locales"):
        if key not in definition:
            problems[key] = ["Missing."]
    for site in definition.get("sites", []):
        try:
            ZoneInfo(site.get("timezone", ""))
        except (ZoneInfoNotFoundError, ValueError):
            problems.setdefault("sites", []).append(f"Unknown time zone for {site.get('code')}.")
    for locale in definition.get("locales", []):
        templates = definition.get("sms", {}).get("templates", {}).get(locale, {})
        missing = [name for name in REQUIRED_TEMPLATES if name not in templates]
        if missing:
            problems[f"sms.templates.{locale}"] = [f"Missing: {', '.join(missing)}."]
    ladders = ladder_problems(definition)
    if ladders:
        problems["alerts.escalation"] = ladders
    window = window_problems(definition)
    if window:
        problems["windows"] = window
    terms = term_list_problems(definition)
    if terms:
        problems["adverse_events.terms"] = terms
    problems.update(_symptom_problems(definition))
    problems.update(design_problems(definition))
    security = definition.get("security", {})
    if not isinstance(security, dict) or not isinstance(
            security.get("coordinators_need_second_factor", False), bool):
        problems["security.coordinators_need_second_factor"] = ["true or false."]
    if problems:
        raise InvalidInput("The study file is incomplete.", problems)
    return definition


def _symptom_problems(definition: dict) -> dict[str, list[str]]:
    """Return what is wrong with the symptom items, their texts, the safety rules, phones."""
    problems = {}
    items = catalogue_problems(definition)
    if items:
        return {"symptoms": items}
    problems.update(text_problems(definition))
    safety = safety_problems(definition)
    if safety:
        problems["safety"] = safety
    # A report that raises an urgent alert tells the participant to call their site.
    needs_phone = bool(catalogue(definition))
    for site in definition.get("sites", []):
        problem = _site_phone_problem(site, required=needs_phone)
        if problem:
            problems.setdefault("sites", []).append(problem)
    return problems


def _site_phone_problem(site: dict, *, required: bool) -> str | None:
    if "phone" not in site:
        return f"{site.get('code')}: needs a phone (the study team's)." if required else None
    try:
        _site_phone(site)
    except (PhoneNumberError, TypeError):
        return f"{site.get('code')}: the phone is not a valid number where the site is."
    return None


def _site_phone(site: dict) -> str | None:
    raw = site.get("phone")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise TypeError("a phone is text")
    return normalise_phone(raw, region_for_timezone(site.get("timezone", "")))


def load_study(path: Path) -> tuple[Study, bool]:
    """Load (or refresh) a study and its sites from a file; return it and whether it changed.

    Idempotent: loading the same file again changes nothing and writes no audit event.
    """
    raw = path.read_bytes()
    definition = parse_definition(raw)
    digest = hashlib.sha256(raw).hexdigest()
    study = db.session.execute(
        select(Study).where(Study.code == definition["code"])
    ).scalar_one_or_none()
    if study is not None and study.definition_sha256 == digest:
        return study, False
    before = {"definition_sha256": study.definition_sha256} if study else None
    if study is None:
        study = Study(code=definition["code"])
        db.session.add(study)
    _apply_definition(study, definition, digest)
    db.session.flush()
    _upsert_sites(study, definition["sites"])
    record_audit(Actor.system(), "study.loaded", study, before=before,
                 after={"definition_sha256": digest, "file": path.name})
    db.session.commit()
    return study, True


def _apply_definition(study: Study, definition: dict, digest: str) -> None:
    reminders = definition["reminders"]
    study.title = definition["title"]
    study.drug = definition["drug"]["name"]
    study.route = definition["drug"].get("route", "oral")
    study.dose_mg = Decimal(str(definition["regimen"]["dose_mg"]))
    study.doses_per_day = int(definition["regimen"].get("doses_per_day", 1))
    study.primary_window_days = int(definition["windows"]["primary_days"])
    study.late_entry_hours = int(definition["windows"]["late_entry_hours"])
    study.adherence_threshold = Decimal(str(definition["adherence"]["threshold"]))
    study.reminder_time = time.fromisoformat(reminders["time"])
    study.quiet_start = time.fromisoformat(reminders["quiet_start"])
    study.quiet_end = time.fromisoformat(reminders["quiet_end"])
    study.definition = definition
    study.definition_sha256 = digest
    study.loaded_at = utcnow()


def _upsert_sites(study: Study, sites: list[dict]) -> None:
    existing = {
        site.code: site
        for site in db.session.execute(select(Site).where(Site.study_id == study.id)).scalars()
    }
    for entry in sites:
        site = existing.get(entry["code"]) or Site(study_id=study.id, code=entry["code"])
        site.name = entry["name"]
        site.timezone = entry["timezone"]
        site.phone_e164 = _site_phone(entry)
        db.session.add(site)
    db.session.flush()
