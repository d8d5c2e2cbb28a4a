"""What the answer to a symptom report tells the participant to do, as eRAPID does.

Anything that raises an urgent alert: contact the study team now, with the site's
number. Anything routine: the team will look at the report. A mild or moderate item
(composite grade 1 or 2): self-care advice from the study file. Else: thank you.
"""

from collections.abc import Sequence

from diary.models.alert import ROUTINE, URGENT
from diary.models.symptom_report import CONTACT_NOW, RECORDED, SELF_CARE, TEAM_WILL_REVIEW
from diary.rules.alerts import alert_kind
from diary.rules.safety import SafetyParams, Trigger
from diary.rules.symptom_texts import texts_for


def advice_action(triggers: Sequence[Trigger], grades: Sequence[tuple[str, int | None]],
                  params: SafetyParams) -> str:
    """Return what the participant is told to do, from the rules a report triggered."""
    urgencies = {alert_kind(trigger.kind).urgency for trigger in triggers}
    if URGENT in urgencies:
        return CONTACT_NOW
    if ROUTINE in urgencies:
        return TEAM_WILL_REVIEW
    if self_care_items(grades, params):
        return SELF_CARE
    return RECORDED


def self_care_items(grades: Sequence[tuple[str, int | None]], params: SafetyParams) -> list[str]:
    """Return the items, by key, whose grade asks for self-care advice (1 to below severe)."""
    return [item for item, grade in grades
            if grade is not None and 1 <= grade < params.severe_grade]


def advice(definition: dict, locale: str, action: str,
           grades: Sequence[tuple[str, int | None]], params: SafetyParams, *,
           phone: str | None) -> dict:
    """Return the answer's advice in ``locale``: the action, its message, self-care texts."""
    texts = texts_for(definition, locale)
    message = texts["advice"][action]
    if action == CONTACT_NOW and phone:
        message = f"{message} {texts['advice']['call'].format(phone=phone)}"
    return {
        "action": action,
        "message": message,
        "phone": phone,
        "self_care": [{"item": item, "text": texts["self_care"][item]}
                      for item in self_care_items(grades, params)],
    }
