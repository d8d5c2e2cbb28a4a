"""``diary export``: datasets written to a file, as the system (every site)."""

from pathlib import Path

import click

from diary.errors import DomainError


@click.group("export")
def export_cli():
    """Write datasets for the statistician."""


@export_cli.command("sdtm")
@click.option("--out", "out", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The zip to write (csv/, xpt/ and variables.csv).")
@click.option("--study", default=None,
              help="The study's code (NCT02495519); needed once participants are in two.")
def export_sdtm_command(out: Path, study: str | None):
    """Write one study's CDISC SDTM datasets, every site's participants, to a zip."""
    from diary.actor import Actor
    from diary.operations.sdtm_export import export_sdtm

    try:
        summary = export_sdtm(Actor.system(), out, study=study)
    except DomainError as exc:
        raise click.ClickException(exc.explained()) from exc
    counts = ", ".join(f"{name} {count}" for name, count in summary.records.items())
    click.echo(f"{out}: {summary.subjects} participants; {counts}")
    click.echo(f"non-ASCII values replaced in the XPT files: {summary.non_ascii_replaced}")
