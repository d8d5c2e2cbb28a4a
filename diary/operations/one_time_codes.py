"""What activation codes and set-password codes share: a code is spent once, by one caller."""

from datetime import datetime

from sqlalchemy import update

from diary.errors import Unauthorized
from diary.extensions import db


def spend_code(model, code_id: int, now: datetime, refusal: str) -> None:
    """Mark a code used, atomically: of two requests racing with one code, one wins.

    The loser's transaction is rolled back and it gets the same Unauthorized as an
    unknown code (``refusal``), so it learns nothing.
    """
    claimed = db.session.execute(
        update(model).where(model.id == code_id, model.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Unauthorized(refusal)
