"""What a tumour assessment or a vital status may state: checks of plain dates."""

from datetime import date

ALIVE, DEAD = "alive", "dead"
VITAL_STATUSES = (ALIVE, DEAD)


def visit_date_errors(visit: date, *, enrolled_on: date, today: date) -> dict[str, list[str]]:
    """Return what is wrong with an assessment's visit date (empty when it is usable)."""
    if visit < enrolled_on:
        return {"visit_date": ["Before the participant's enrolment."]}
    if visit > today:
        return {"visit_date": ["In the future."]}
    return {}


def vital_status_errors(status: str, death_date: date | None, last_known_alive_on: date | None,
                        *, enrolled_on: date, today: date) -> dict[str, list[str]]:
    """Return what is wrong with a vital status (empty when it is usable).

    Alive needs the date last known alive; dead needs the date of death, and any date
    last known alive is not after it. No date is before enrolment or in the future.
    """
    errors: dict[str, list[str]] = {}
    if status == ALIVE and death_date is not None:
        errors["death_date"] = ["Only for a participant who has died."]
    if status == ALIVE and last_known_alive_on is None:
        errors["last_known_alive_on"] = ["Required when alive."]
    if status == DEAD and death_date is None:
        errors["death_date"] = ["Required when dead."]
    for name, value in (("death_date", death_date), ("last_known_alive_on", last_known_alive_on)):
        if value is not None and value < enrolled_on:
            errors.setdefault(name, []).append("Before the participant's enrolment.")
        elif value is not None and value > today:
            errors.setdefault(name, []).append("In the future.")
    if (status == DEAD and death_date is not None and last_known_alive_on is not None
            and last_known_alive_on > death_date):
        errors.setdefault("last_known_alive_on", []).append("After the date of death.")
    return errors
