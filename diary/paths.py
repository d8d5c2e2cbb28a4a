"""Where the project's files are, wherever it is run from."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parent / "migrations"
STUDIES_DIR = PACKAGE_DIR / "studies"
DATA_DIR = PACKAGE_DIR / "data"
