"""Re-encrypting every encrypted column under the newest key: ``diary keys rotate``.

Rows are read and written as stored text (lightweight tables, no encrypting type), so a
token is rotated with ``MultiFernet.rotate`` exactly once and never encrypted twice. Each
batch commits on its own; a row is written only if it still holds the token that was
read, so a phone changed through the API meanwhile (already under the newest key) is
left alone. Running it again changes nothing and says so.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from diary import phone_keys
from diary.extensions import db
from diary.phone_keys import PhoneKeyError
from diary.types import Encrypted

BATCH_SIZE = 500


@dataclass
class ColumnRotation:
    """What one encrypted column's rotation did, in counts only (never values)."""

    column: str
    rotated: int = 0
    current: int = 0
    lookups_refreshed: int = 0
    unreadable: int = 0
    changed_meanwhile: int = 0


def encrypted_columns() -> list[tuple[str, str, str | None]]:
    """Return (table, column, lookup column or None) for every encrypted column of the models."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Encrypted):
                found.append((table.name, column.name, column.info.get("lookup")))
    return found


def rotate_keys(batch_size: int = BATCH_SIZE) -> list[ColumnRotation]:
    """Re-encrypt every encrypted value under the newest key and refresh the lookup hashes."""
    keys = phone_keys.current()
    return [_rotate_column(keys, *spec, batch_size=batch_size)
            for spec in encrypted_columns()]


def _rotate_column(keys, table_name: str, column: str, lookup: str | None, *,
                   batch_size: int) -> ColumnRotation:
    names = [column] + ([lookup] if lookup else [])
    table = sa.table(table_name, sa.column("id"), *(sa.column(name) for name in names))
    report = ColumnRotation(f"{table_name}.{column}")
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(table.c.id, *(table.c[name] for name in names))
            .where(table.c.id > last_id, table.c[column].is_not(None))
            .order_by(table.c.id).limit(batch_size)
        ).all()
        if not rows:
            return report
        for row in rows:
            _rotate_row(keys, table, column, lookup, row, report)
        db.session.commit()
        last_id = rows[-1][0]


def _rotate_row(keys, table, column: str, lookup: str | None, row, report) -> None:
    row_id, token, *stored_lookup = row
    try:
        plaintext = keys.decrypt(token)
    except PhoneKeyError:
        report.unreadable += 1
        return
    rotate = not keys.is_current(token)
    values = {column: keys.rotate(token)} if rotate else {}
    if lookup and stored_lookup[0] != keys.lookup(plaintext):
        values[lookup] = keys.lookup(plaintext)
    if values:
        written = db.session.execute(
            sa.update(table).where(table.c.id == row_id, table.c[column] == token)
            .values(values)
        ).rowcount
        if written == 0:
            report.changed_meanwhile += 1
            return
        report.lookups_refreshed += int(lookup is not None and lookup in values)
    if rotate:
        report.rotated += 1
    else:
        report.current += 1
