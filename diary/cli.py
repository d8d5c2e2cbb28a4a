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


def register(app: Flask) -> None:
    """Attach the sub-commands to the app's CLI."""
    app.cli.add_command(studies_cli)
    app.cli.add_command(load_default_study_command)


def _create_app():
    from diary.app import create_app

    return create_app()


def main() -> None:
    """Run the ``diary`` command line."""
    os.environ.setdefault("FLASK_APP", "wsgi:app")
    cli = FlaskGroup(create_app=_create_app, help="The treatment diary service.")
    cli.main(prog_name="diary")
