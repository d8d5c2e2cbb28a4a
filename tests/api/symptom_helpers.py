"""Bodies and paths for the symptom-report tests."""

import uuid

MY_ITEMS = "/api/v1/me/symptom-items"
MY_REPORTS = "/api/v1/me/symptom-reports"
MY_SYNC = "/api/v1/me/sync"
# 12:00 in Seoul on 5 March 2026: study day 5 of a participant enrolled on 1 March.
NOON_IN_SEOUL = "2026-03-05T03:00:00Z"


def staff_reports(participant_id: int) -> str:
    return f"/api/v1/participants/{participant_id}/symptom-reports"


def symptom_report(day: str = "2026-03-05", items=(), **fields) -> dict:
    """Return a report body: no symptoms, no emergency visit, no pregnancy, unless said."""
    return {"client_id": str(uuid.uuid4()), "report_date": day, "items": list(items),
            "emergency_visit": False, "pregnancy": False, **fields}


def item(key: str, **values) -> dict:
    return {"item": key, **values}
