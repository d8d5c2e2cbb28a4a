"""An offline phone's upload: dose entries and symptom reports, each recorded on its own.

Every item names its kind (``dose`` when it names none, as before symptom reports
existed). Each runs in a SAVEPOINT, so a refused item leaves the others untouched, and
through the same write as the app's own endpoint: a report uploaded later raises the
same alerts as one sent at once.
"""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError

from diary.actor import Actor
from diary.errors import Conflict, DomainError, InvalidInput
from diary.extensions import db
from diary.models import Participant, Study
from diary.operations import doses, symptom_reports
from diary.rules.doses import DoseInput
from diary.rules.symptom_answers import SymptomReportInput

DOSE, SYMPTOM_REPORT = "dose", "symptom_report"
KINDS = (DOSE, SYMPTOM_REPORT)
UNFORESEEN = "This entry could not be recorded because of a fault on our side; it is logged."
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncItem:
    """One uploaded item: its kind and parsed ``data``, or the ``errors`` that stopped it."""

    client_id: str | None
    kind: str = DOSE
    data: DoseInput | SymptomReportInput | None = None
    errors: dict | None = None


def sync_entries(participant: Participant, study: Study, items: list[SyncItem], *,
                 actor: Actor) -> list[dict]:
    """Record an offline phone's items, each on its own; return a result per item, in order.

    Items run by their day (a dose's date, a report's date), then upload order, so a
    correction follows its original and a report's baseline is the report before it.
    """
    order = sorted(range(len(items)), key=lambda i: (_sort_date(items[i]), i))
    results: list[dict] = [{} for _ in items]
    for index in order:
        results[index] = {"kind": items[index].kind,
                          **_sync_one(participant, study, items[index], actor)}
    db.session.commit()
    return results


def _sort_date(item: SyncItem) -> date:
    if item.data is None:
        return date.min
    return item.data.dose_date if item.kind == DOSE else item.data.report_date


def _write(participant, study, item: SyncItem, actor: Actor) -> dict:
    if item.kind == SYMPTOM_REPORT:
        written = symptom_reports.write_symptom_report(participant, study, item.data,
                                                       actor=actor, source="app")
        return {"result": written.outcome, "report": written.report, "advice": written.advice}
    result = doses.write_dose(participant, study, item.data, actor=actor, source="app")
    return {"result": result.outcome, "entry": result.entry}


def _sync_one(participant, study, item: SyncItem, actor: Actor) -> dict:
    if item.errors:
        return _rejected(item.client_id, InvalidInput("The entry has invalid fields.",
                                                      item.errors))
    for _attempt in (1, 2):
        savepoint = db.session.begin_nested()
        try:
            written = _write(participant, study, item, actor)
        except DomainError as exc:
            savepoint.rollback()
            return _rejected(item.client_id, exc)
        except IntegrityError:
            savepoint.rollback()
            continue
        except (OperationalError, DisconnectionError):
            raise  # the database is gone: the whole upload is answered 503 and retried
        except Exception as exc:
            # One entry must not sink the upload, or the phone resends it for ever.
            savepoint.rollback()
            log.error("sync entry not recorded: %s", type(exc).__name__)
            return {"client_id": item.client_id, "result": "rejected", "code": 500,
                    "message": UNFORESEEN, "errors": {}}
        savepoint.commit()
        return {"client_id": item.client_id, **written}
    return _rejected(item.client_id, Conflict(doses.RACED))


def _rejected(client_id: str | None, error: DomainError) -> dict:
    return {"client_id": client_id, "result": "rejected", "code": error.status,
            "message": error.message, "errors": error.errors}
