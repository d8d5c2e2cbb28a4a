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
def export_sdtm_command(out: Path):
    """Write the CDISC SDTM datasets of every site's participants to a zip."""
    from diary.actor import Actor
    from diary.operations.sdtm_export import export_sdtm

    try:
        summary = export_sdtm(Actor.system(), out)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    counts = ", ".join(f"{name} {count}" for name, count in summary.records.items())
    click.echo(f"{out}: {summary.subjects} participants; {counts}")
    click.echo(f"non-ASCII values replaced in the XPT files: {summary.non_ascii_replaced}")
