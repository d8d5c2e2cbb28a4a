"""``diary staff`` (add, list, set staff accounts) and ``diary check`` (readiness)."""

from contextlib import contextmanager

import click
from sqlalchemy import func, select

from diary.actor import Actor
from diary.errors import DomainError, NotFound
from diary.extensions import db
from diary.models import StaffUser
from diary.operations.checks import alert_coverage
from diary.operations.second_factor import reset_second_factor
from diary.operations.staff import (
    create_staff,
    issue_set_password_code,
    list_staff,
    update_staff,
)
from diary.rules.phone import masked

_ROLES = click.Choice(["admin", "coordinator", "investigator"])
_SITE_HELP = "A site by code (SEV) or id (digits); repeat for several."


@contextmanager
def _as_click_errors():
    """Turn a domain refusal into a one-line error and a non-zero exit."""
    try:
        yield
    except DomainError as exc:
        details = " ".join(f"{field}: {' '.join(map(str, messages))}"
                           for field, messages in exc.errors.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc


def _site_refs(values) -> list[int | str]:
    return [int(value) if value.isdigit() else value for value in values]


def _find(who: str):
    """Return the staff account an id or an e-mail address names."""
    match = (StaffUser.id == int(who)) if who.isdigit() else (
        func.lower(StaffUser.email) == who.strip().lower())
    staff = db.session.execute(select(StaffUser).where(match)).scalar_one_or_none()
    if staff is None:
        raise NotFound(f"No staff account {who}.")
    return staff


def _describe(staff) -> str:
    phone = masked(staff.phone_e164) or "no phone"
    sites = ",".join(staff.site_codes) or "-"
    flags = [staff.role, sites, staff.locale, phone,
             "alerts on" if staff.alerts_enabled else "alerts off",
             "active" if staff.active else "inactive",
             "password set" if staff.password_hash else "no password yet",
             "second factor" if staff.has_second_factor else "no second factor"]
    return f"{staff.id:>4}  {staff.email}  " + "  ".join(flags)


def _echo_code(code: str, row) -> None:
    click.echo(f"set-password code: {code} (works once, until "
               f"{row.expires_at.isoformat(timespec='minutes')}); hand it to them, they "
               "set their password at POST /api/v1/auth/set-password")


@click.group("staff")
def staff_cli():
    """Manage staff accounts (the same rules as the /api/v1/staff endpoints)."""


@staff_cli.command("add")
@click.option("--email", required=True, help="Their e-mail address (sign-in name).")
@click.option("--role", type=_ROLES, required=True)
@click.option("--site", "sites", multiple=True, help=_SITE_HELP)
@click.option("--phone", help="Mobile for alert texts; national forms: the first site's country.")
@click.option("--locale", help="Language of their texts (by default the study's first).")
@click.option("--alerts/--no-alerts", default=True, help="Alert texts on or off.")
@click.option("--name", help="Full name, printed under their signatures.")
def add_command(email, role, sites, phone, locale, alerts, name):
    """Add a staff member; prints the one-time code they set their password with."""
    data = {"email": email, "role": role, "sites": _site_refs(sites), "phone": phone,
            "locale": locale, "alerts_enabled": alerts, "display_name": name}
    with _as_click_errors():
        staff, code, row = create_staff(Actor.system(), data, reason="diary staff add")
    click.echo(f"added {_describe(staff)}")
    _echo_code(code, row)


@staff_cli.command("list")
@click.option("--role", type=_ROLES)
@click.option("--inactive/--active-only", "include_inactive", default=True,
              help="Show deactivated accounts too (the default) or not.")
def list_command(role, include_inactive):
    """List staff accounts by e-mail address (phones shown by their last digits only)."""
    page, shown = 1, 0
    while True:
        rows, total = list_staff(Actor.system(), role=role,
                                 active=None if include_inactive else True,
                                 page=page, page_size=100)
        for staff in rows:
            click.echo(_describe(staff))
        shown += len(rows)
        if shown >= total or not rows:
            break
        page += 1
    click.echo(f"{total} staff account{'' if total == 1 else 's'}")


@staff_cli.command("set")
@click.argument("who")
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
@click.option("--email", help="A new sign-in address.")
@click.option("--role", type=_ROLES)
@click.option("--site", "sites", multiple=True, help=_SITE_HELP + " Replaces their sites.")
@click.option("--no-sites", is_flag=True, help="Take every site away (admins only need none).")
@click.option("--phone", help="A new mobile; '' takes it away.")
@click.option("--locale")
@click.option("--alerts/--no-alerts", default=None, help="Alert texts on or off.")
@click.option("--active/--inactive", default=None, help="Reactivate or deactivate.")
@click.option("--name", help="Full name, printed under their signatures.")
def set_command(who, reason, email, role, sites, no_sites, phone, locale, alerts, active, name):
    """Change the account WHO (an id or an e-mail address); role, sites, active sign out."""
    changes = {key: value for key, value in {
        "email": email, "role": role, "phone": phone, "locale": locale,
        "alerts_enabled": alerts, "active": active, "display_name": name}.items()
        if value is not None}
    if sites or no_sites:
        changes["sites"] = _site_refs(sites)
    if not changes:
        raise click.UsageError("Name at least one thing to change.")
    with _as_click_errors():
        staff = update_staff(Actor.system(), _find(who).id, changes | {"reason": reason})
    click.echo(f"updated {_describe(staff)}")


@staff_cli.command("set-password-code")
@click.argument("who")
def set_password_code_command(who):
    """Issue WHO a new one-time set-password code (earlier unused ones stop working)."""
    with _as_click_errors():
        code, row = issue_set_password_code(Actor.system(), _find(who).id)
    _echo_code(code, row)


@staff_cli.command("reset-second-factor")
@click.argument("who")
@click.option("--reason", required=True, help="Why (kept in the audit trail).")
def reset_second_factor_command(who, reason):
    """Take away WHO's lost second factor; they are signed out and set up a new one."""
    with _as_click_errors():
        staff = reset_second_factor(Actor.system(), _find(who).id, reason)
    click.echo(f"second factor reset for {staff.email}; they set up a new one at their next "
               "sign-in")


@click.command("check")
def check_command():
    """Check the service is ready: every site has a coordinator who gets alert texts.

    Exits non-zero, naming the sites, when an alert raised there would text nobody.
    """
    coverage = alert_coverage()
    if not coverage:
        click.echo("FAIL  no sites: load a study first (diary load-default-study)")
    for site in coverage:
        if site.recipients:
            people = "1 coordinator gets" if site.recipients == 1 else (
                f"{site.recipients} coordinators get")
            click.echo(f"ok    site {site.site_code} ({site.study_code}): {people} alert texts")
        else:
            click.echo(f"FAIL  site {site.site_code} ({site.study_code}): no active "
                       "coordinator with a phone and alerts on; its alerts text nobody")
    if not coverage or any(site.recipients == 0 for site in coverage):
        raise click.exceptions.Exit(1)
