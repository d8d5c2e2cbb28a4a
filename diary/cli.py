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
        staff = reset(email, password) if reset_password else create_admin(email, password)
    except DomainError as exc:
        details = " ".join(m for ms in exc.errors.values() for m in ms)
        raise click.ClickException(f"{exc.message} {details}".strip()) from exc
    done = "password reset for" if reset_password else "admin created:"
    click.echo(f"{done} {staff.email} (id {staff.id})")


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
    app.cli.add_command(audit_cli)
    from diary.cli_staff import check_command, staff_cli

    app.cli.add_command(staff_cli)
    app.cli.add_command(check_command)
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
