"""The ``diary`` command: Flask's CLI plus our sub-commands."""

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from diary.errors import DomainError


@click.group("studies")
def studies_cli():
    """Manage study definitions."""


@studies_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_study_command(path: Path):
    """Load a study definition file (idempotent)."""
    from diary.operations.studies import load_study

    try:
        study, changed = load_study(path)
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} {exc.errors or ''}".strip()) from exc
    click.echo(f"{study.code}: {'loaded' if changed else 'already up to date'}")


@click.command("load-default-study")
def load_default_study_command():
    """Load the default study shipped with the package (NCT02495519)."""
    from diary.operations.studies import default_study_file, load_study

    study, changed = load_study(default_study_file(current_app.config["DIARY_DEFAULT_STUDY"]))
    click.echo(f"{study.code}: {'loaded' if changed else 'already up to date'}")


@click.command("create-admin")
@click.option("--email", required=True, help="The admin's e-mail address (sign-in name).")
@click.option("--reset-password", is_flag=True,
              help="Set a new password for an existing account (any role) and sign it out.")
def create_admin_command(email: str, reset_password: bool):
    """Create an admin who sees every site, or reset a staff member's password.

    A new admin's second factor is set up at once: the command prints its otpauth://
    provisioning URI and ten recovery codes, once.

    The password comes from DIARY_ADMIN_PASSWORD, or a hidden prompt asked twice; at
    least 12 characters. An e-mail already in use is refused unless --reset-password
    is given, which changes only the password and ends that person's sessions.
    """
    from diary.operations.sessions import create_admin
    from diary.operations.sessions import reset_password as reset

    password = os.environ.get("DIARY_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        if reset_password:
            staff = reset(email, password)
        else:
            staff, uri, recovery_codes = create_admin(email, password)
    except DomainError as exc:
        details = " ".join(m for ms in exc.errors.values() for m in ms)
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    if reset_password:
        click.echo(f"password reset for {staff.email} (id {staff.id})")
        return
    click.echo(f"admin created: {staff.email} (id {staff.id})")
    # Shown this once: only the secret's holder can make the codes sign-in needs.
    click.echo("second factor (add to an authenticator app; shown once):")
    click.echo(uri)
    click.echo("recovery codes (each signs in once instead of a code; shown once):")
    click.echo(" ".join(recovery_codes))


@click.group("keys")
def keys_cli():
    """Manage the keys that encrypt phone numbers at rest."""


@keys_cli.command("new")
def new_key_command():
    """Print a fresh Fernet key, to put first in DIARY_PHONE_KEYS."""
    from diary.phone_keys import new_key

    click.echo(new_key())


@keys_cli.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1),
              help="Rows re-encrypted per transaction.")
def rotate_keys_command(batch_size: int):
    """Re-encrypt every phone number and inbound text under the first DIARY_PHONE_KEYS key.

    Older keys listed after it still read while this runs; remove them only once it
    reports nothing unreadable. It also refreshes the lookup hashes after a change of
    DIARY_PHONE_LOOKUP_KEY. Safe to run again: it prints counts, never values.
    """
    from diary.operations.key_rotation import rotate_keys

    reports = rotate_keys(batch_size=batch_size)
    for report in reports:
        click.echo(f"{report.column}: {report.rotated} re-encrypted, {report.current} already "
                   f"under the newest key, {report.lookups_refreshed} lookup hashes refreshed, "
                   f"{report.changed_meanwhile} changed meanwhile, "
                   f"{report.unreadable} unreadable")
    unreadable = sum(report.unreadable for report in reports)
    if unreadable:
        raise click.ClickException(f"{unreadable} values are readable with no configured key.")


@click.group("audit")
def audit_cli():
    """The audit trail."""


@audit_cli.command("verify")
def audit_verify_command():
    """Recompute every audit chain's hashes; name each chain's first broken link."""
    from diary.operations.audit_verify import verify_chains

    chains, events, breaks = verify_chains()
    for broken in breaks:
        click.echo(f"BROKEN {broken}", err=True)
    if breaks:
        raise SystemExit(1)
    click.echo(f"audit trail intact: {events} events in {chains} chains")


def register(app: Flask) -> None:
    """Attach the sub-commands to the app's CLI."""
    app.cli.add_command(studies_cli)
    app.cli.add_command(load_default_study_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(keys_cli)
    app.cli.add_command(audit_cli)
    from diary.cli_staff import check_command, staff_cli

    app.cli.add_command(staff_cli)
    app.cli.add_command(check_command)
    from diary.cli_export import export_cli

    app.cli.add_command(export_cli)
    from diary.cli_demo import demo_command

    app.cli.add_command(demo_command)
    from diary.jobs import JOBS
    from notifications.cli import (
        fake_twilio_command,
        scheduler_command,
        serve_command,
        sms_cli,
    )

    app.cli.add_command(scheduler_command(JOBS))
    app.cli.add_command(serve_command)
    app.cli.add_command(fake_twilio_command)
    app.cli.add_command(sms_cli)


def _create_app():
    from diary.app import create_app

    return create_app()


def make_cli() -> FlaskGroup:
    """Return the ``diary`` command group: Flask's own commands (run, shell, routes), db, ours."""
    return FlaskGroup(create_app=_create_app, help="The treatment diary service.")


def main() -> None:
    """Run the ``diary`` command line."""
    os.environ.setdefault("FLASK_APP", "wsgi:app")
    make_cli().main(prog_name="diary")
