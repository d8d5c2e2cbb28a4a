"""What the app shows of a study's symptom items, per locale (``[symptoms.texts.<locale>]``).

Each item's name; each attribute's question and its answers (the answer's index is its
score); the report's own questions; the self-care advice per item; the answer's texts.
"""

from diary.rules.pro_ctcae import MAX_SCORE, PRESENCE, SCORED
from diary.rules.symptom_items import KG, SymptomItem, catalogue

REPORT_QUESTIONS = ("emergency_visit", "pregnancy", "pregnancy_date", "other_symptoms")
ADVICE_TEXTS = ("contact_now", "call", "team_will_review", "self_care", "recorded")
_CHOICES = {**dict.fromkeys(SCORED, MAX_SCORE + 1), PRESENCE: 2}


def texts_for(definition: dict, locale: str) -> dict:
    """Return the symptom texts in ``locale`` (the study's first locale if it has none)."""
    texts = definition.get("symptoms", {}).get("texts", {})
    return texts.get(locale) or texts[definition["locales"][0]]


def item_listing(definition: dict, locale: str) -> dict:
    """Return the study's items as the app asks them, in ``locale`` (none: no reports)."""
    if not catalogue(definition):
        return {"recall_days": 7, "items": [], "questions": {}}
    texts = texts_for(definition, locale)
    questions = texts["questions"]
    return {
        "recall_days": 7,
        "items": [_listed(item, texts) for item in catalogue(definition).values()],
        "questions": {name: questions[name] for name in REPORT_QUESTIONS},
    }


def _listed(item: SymptomItem, texts: dict) -> dict:
    return {
        "key": item.key,
        "pro_ctcae_item": item.pro_ctcae_item,
        "text": texts["items"][item.key],
        "attributes": list(item.attributes),
        "questions": [
            {"attribute": name, "text": texts["questions"][name],
             "choices": list(texts["choices"].get(name, []))}
            for name in item.attributes
        ],
        "unit": item.unit,
        "minimum": item.minimum,
        "maximum": item.maximum,
    }


def text_problems(definition: dict) -> dict[str, list[str]]:
    """Return, by locale table, what the symptom texts lack (empty when complete)."""
    items = catalogue(definition)
    if not items:
        return {}
    used = {name for item in items.values() for name in item.attributes}
    problems = {}
    for locale in definition.get("locales", []):
        texts = definition.get("symptoms", {}).get("texts", {}).get(locale, {})
        found = _missing(texts, "items", items)
        found += _missing(texts, "questions", [*sorted(used), *REPORT_QUESTIONS])
        found += _missing(texts, "self_care", [k for k, item in items.items() if item.graded])
        found += _missing(texts, "advice", ADVICE_TEXTS)
        found += _choice_problems(texts.get("choices", {}), used)
        found += _placeholder_problems(texts.get("advice", {}))
        if found:
            problems[f"symptoms.texts.{locale}"] = found
    return problems


def _missing(texts: dict, table: str, names) -> list[str]:
    have = texts.get(table, {})
    missing = [name for name in names
               if not isinstance(have.get(name), str) or not have[name].strip()]
    return [f"{table}: missing {', '.join(missing)}."] if missing else []


def _choice_problems(choices: dict, used: set[str]) -> list[str]:
    return [
        f"choices: {name} needs {count} answers (scores 0 to {count - 1})."
        for name, count in _CHOICES.items()
        if name in used and name != KG
        and (not isinstance(choices.get(name), list) or len(choices[name]) != count
             or not all(isinstance(choice, str) and choice.strip()
                        for choice in choices[name]))
    ]


def _placeholder_problems(advice: dict) -> list[str]:
    problems = []
    for name in ADVICE_TEXTS:
        values = {"phone": "+82 1599-1004"} if name == "call" else {}
        try:
            str(advice.get(name, "")).format(**values)
        except (KeyError, IndexError, ValueError):
            wanted = "{phone} and no other {…}" if name == "call" else "no {…}"
            problems.append(f"advice: {name} takes {wanted}.")
    return problems
