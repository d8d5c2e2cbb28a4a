"""Statements built once and run on the session's connection: the dose write's fast lane.

Every dose write runs an INSERT of its entry, an INSERT of its audit event and an UPDATE
cancelling the day's reminders. Through ``Session.execute`` each would pay for the ORM's
statement dispatch, and an entity added to the session would wait for a unit-of-work
flush. A statement built once at import and run on the session's own connection joins
the caller's transaction (it commits or rolls back with it, savepoints included) and
skips both. Measured in ``bench/README.md``.

What it costs the caller: a plain statement does not autoflush, so changes still pending
in the session must be flushed first where the statement must see them; and a row
inserted this way gets its column defaults here, on the object, which only works for
plain values (``PrebuiltInsert`` refuses a model with any other kind of default).
"""

from sqlalchemy import Table, insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import make_transient_to_detached

from diary.extensions import db


def run(statement, params: dict) -> CursorResult:
    """Run a prebuilt statement on the session's connection, in its transaction."""
    return db.session.connection().execute(statement, params)


def plain_defaults(table: Table) -> dict[str, object]:
    """Return every non-key column's default (None when it has none).

    Raises TypeError for a default that is not a plain value (a callable, a SQL
    expression, a server default): written by hand here, it would silently become None.
    """
    defaults = {}
    for column in table.columns:
        if column.primary_key:
            continue
        default = column.default
        if column.server_default is not None or column.onupdate is not None or (
            default is not None and not default.is_scalar
        ):
            raise TypeError(f"{table.name}.{column.key} has a default that is not a plain "
                            "value; insert it through the session instead.")
        defaults[column.key] = default.arg if default is not None else None
    return defaults


class PrebuiltInsert:
    """One INSERT of a model's row, built once; the new object then joins the session.

    The object ends up as if it had been loaded: later reads in the session see it, and
    nothing is selected back after the INSERT.
    """

    def __init__(self, model):
        self.statement = insert(model.__table__)
        self.defaults = plain_defaults(model.__table__)

    def add(self, entity) -> None:
        """Insert ``entity`` now and attach it to the session (its id set)."""
        # Every column gets a value on the object too (its default when unset, as a flush
        # would), so nothing is left to load back after the insert.
        for name, default in self.defaults.items():
            if name not in vars(entity):
                setattr(entity, name, default)
        result = run(self.statement, {name: getattr(entity, name) for name in self.defaults})
        entity.id = result.inserted_primary_key[0]
        make_transient_to_detached(entity)
        db.session.add(entity)
