"""Study definitions: the shipped default, `diary studies load FILE`, and the `diary` command."""

import csv
from datetime import time
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from diary.cli import make_cli
from diary.errors import InvalidInput
from diary.extensions import db
from diary.models import AuditEvent, Site, Study
from diary.operations.studies import default_study_file, parse_definition
from diary.paths import DATA_DIR
from diary.rules.adverse_events import terms_from

SECOND_STUDY = "NCT09999999"


def _second_study_file(tmp_path, dose_mg: int = 600):
    """Write a second study's file: the default one with its own code, dose and site."""
    text = default_study_file("NCT02495519").read_text(encoding="utf-8")
    text = (text.replace('code = "NCT02495519"', f'code = "{SECOND_STUDY}"')
            .replace("dose_mg = 400", f"dose_mg = {dose_mg}")
            .replace('code = "SEV"', 'code = "MSK"')
            .replace('name = "Severance Hospital"', 'name = "Memorial Hospital"')
            .replace('timezone = "Asia/Seoul"', 'timezone = "America/New_York"')
            .replace('phone = "1599-1004"', 'phone = "212-555-0123"'))
    path = tmp_path / f"{SECOND_STUDY}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _load(app, path):
    return app.test_cli_runner().invoke(args=["studies", "load", str(path)])


def _loads_of(study_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(AuditEvent)
        .where(AuditEvent.action == "study.loaded", AuditEvent.entity_id == study_id)
    ).scalar_one()


def test_default_study_is_nct02495519_as_the_protocol_describes(study):
    assert (study.code, study.drug, study.route) == ("NCT02495519", "imatinib", "oral")
    assert (study.dose_mg, study.doses_per_day) == (Decimal(400), 1)
    assert (study.primary_window_days, study.late_entry_hours) == (112, 72)
    assert study.adherence_threshold == Decimal("0.90")
    assert (study.reminder_time, study.quiet_start, study.quiet_end) == (
        time(9), time(21), time(8))
    assert study.locales == ["ko", "en"]
    (site,) = db.session.execute(select(Site).where(Site.study_id == study.id)).scalars()
    assert (site.name, site.timezone) == ("Severance Hospital", "Asia/Seoul")


def test_second_study_is_a_second_file_loaded_by_the_command(app, study, tmp_path):
    result = _load(app, _second_study_file(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"{SECOND_STUDY}: loaded" in result.output
    second = db.session.execute(select(Study).where(Study.code == SECOND_STUDY)).scalar_one()
    assert second.dose_mg == 600
    (site,) = db.session.execute(select(Site).where(Site.study_id == second.id)).scalars()
    assert (site.code, site.name, site.timezone) == ("MSK", "Memorial Hospital",
                                                    "America/New_York")
    # The first study is untouched by the second.
    assert study.dose_mg == 400
    assert db.session.execute(select(Site.name).where(Site.study_id == study.id)).scalars(
    ).all() == ["Severance Hospital"]


def test_loading_the_same_file_again_changes_nothing(app, study, tmp_path):
    path = _second_study_file(tmp_path)
    _load(app, path)
    second = db.session.execute(select(Study).where(Study.code == SECOND_STUDY)).scalar_one()
    loaded_at = second.loaded_at
    again = _load(app, path)
    assert again.exit_code == 0, again.output
    assert f"{SECOND_STUDY}: already up to date" in again.output
    assert _loads_of(second.id) == 1
    assert db.session.execute(select(func.count()).select_from(Site)
                              .where(Site.study_id == second.id)).scalar_one() == 1
    db.session.refresh(second)
    assert second.loaded_at == loaded_at


def test_a_changed_file_refreshes_the_study_and_is_audited(app, study, tmp_path):
    _load(app, _second_study_file(tmp_path, dose_mg=600))
    result = _load(app, _second_study_file(tmp_path, dose_mg=300))
    assert f"{SECOND_STUDY}: loaded" in result.output
    second = db.session.execute(select(Study).where(Study.code == SECOND_STUDY)).scalar_one()
    db.session.refresh(second)
    assert second.dose_mg == 300
    assert _loads_of(second.id) == 2
    assert db.session.execute(select(func.count()).select_from(Site)
                              .where(Site.study_id == second.id)).scalar_one() == 1


def test_an_incomplete_file_is_refused_naming_what_is_missing(app, study, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('code = "NCT00000001"\ntitle = "No regimen"\n', encoding="utf-8")
    result = _load(app, path)
    assert result.exit_code != 0
    assert "regimen" in result.output
    assert db.session.execute(select(Study.id).where(Study.code == "NCT00000001")).first() is None


def test_the_default_study_loads_idempotently_by_command(app, study):
    result = app.test_cli_runner().invoke(args=["load-default-study"])
    assert result.exit_code == 0, result.output
    assert "NCT02495519: already up to date" in result.output


@pytest.fixture
def diary_command(tmp_path, monkeypatch):
    """The installed ``diary`` command group, on a database of its own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    return make_cli()


def test_diary_command_offers_db_studies_create_admin_and_run(diary_command):
    result = CliRunner().invoke(diary_command, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("db", "studies", "load-default-study", "create-admin", "staff", "check",
                    "run", "serve", "scheduler"):
        assert f"  {command} " in result.output, command
    run_help = CliRunner().invoke(diary_command, ["run", "--help"])
    assert run_help.exit_code == 0, run_help.output
    assert "development server" in run_help.output
    load_help = CliRunner().invoke(diary_command, ["studies", "load", "--help"])
    assert load_help.exit_code == 0, load_help.output
    upgrade_help = CliRunner().invoke(diary_command, ["db", "upgrade", "--help"])
    assert upgrade_help.exit_code == 0, upgrade_help.output


def test_the_studys_ctcae_terms_are_the_reference_tables_with_no_code_made_up(study):
    table = DATA_DIR / "ctcae-v5-imatinib-terms.csv"
    with table.open(encoding="utf-8", newline="") as rows:
        expected = [(row["ctcae_term"], row["meddra_code"] or None, row["soc"],
                     int(row["pro_ctcae_item"]) if row["pro_ctcae_item"] else None)
                    for row in csv.DictReader(rows)]
    terms = terms_from(study.definition).values()
    assert [(t.term, t.meddra_code, t.soc, t.pro_ctcae_item) for t in terms] == expected


def test_a_study_file_with_a_malformed_term_list_is_refused(tmp_path):
    text = default_study_file("NCT02495519").read_text(encoding="utf-8")
    text = text.replace('meddra_code = "10028813"', 'meddra_code = "1002881"')
    with pytest.raises(InvalidInput) as refused:
        parse_definition(text.encode("utf-8"))
    assert "adverse_events.terms" in refused.value.errors


def test_the_coordinators_second_factor_setting_is_true_or_false(tmp_path):
    text = default_study_file("NCT02495519").read_text(encoding="utf-8")
    assert parse_definition(text.encode("utf-8"))["security"] == {
        "coordinators_need_second_factor": False}
    text = text.replace("coordinators_need_second_factor = false",
                        'coordinators_need_second_factor = "yes"')
    with pytest.raises(InvalidInput) as refused:
        parse_definition(text.encode("utf-8"))
    assert "security.coordinators_need_second_factor" in refused.value.errors
