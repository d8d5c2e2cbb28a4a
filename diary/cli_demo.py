"""``diary demo``: seed the synthetic demo cohort, never on a production database."""

import click
from flask import current_app

from diary.errors import DomainError

DEFAULT_SEED = 15


@click.command("demo")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="The same seed on the same day gives the same cohort.")
@click.option("--if-new", is_flag=True,
              help="Seed only when the study has no participant yet (what make run does).")
@click.option("--force", is_flag=True,
              help="Seed a database that is not SQLite too (never a production one).")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True,
              help="Where the service answers, for the sign-in line printed at the end.")
def demo_command(seed: int, if_new: bool, force: bool, url: str):
    """Seed 21 synthetic NCT02495519 participants (DEMO-01 on), 16 weeks and more of diary.

    Refuses a database that is not SQLite unless --force: demo data must never mix with
    a real trial's. Seeds once; run again, it says so and changes nothing. Prints the
    e-mail and password of the coordinator account made to read the report page with.
    """
    from diary.operations import demo

    if not current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not force:
        raise click.ClickException(
            "Refusing to seed demo data into a database that is not SQLite; production "
            "never holds demo data (--force for a scratch database).")
    try:
        study = demo.demo_study()
        if demo.demo_seeded(study):
            click.echo(f"The demo cohort is already seeded; sign in at {url}/login as "
                       f"{demo.DEMO_STAFF_EMAIL} (a new password: diary create-admin "
                       f"--email {demo.DEMO_STAFF_EMAIL} --reset-password).")
            return
        if if_new and demo.has_participants(study):
            click.echo("The database already has participants: no demo cohort seeded.")
            return
        with click.progressbar(length=demo.COHORT_SIZE,
                               label="Seeding the demo cohort") as bar:
            login = demo.seed_demo(seed, on_participant=lambda code: bar.update(1))
    except DomainError as exc:
        raise click.ClickException(exc.explained()) from exc
    click.echo(f"Demo cohort seeded: {demo.COHORT_SIZE} synthetic participants "
               f"(seed {seed}). Open {url}/reports and sign in as")
    click.echo(f"  e-mail:   {login.email}")
    click.echo(f"  password: {login.password}")
