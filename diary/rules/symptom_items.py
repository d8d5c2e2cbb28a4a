"""The symptom items a study asks about, from its definition file (``[symptoms]``).

Two kinds: PRO-CTCAE items, named by their NCI item-library number and keyed by their
term (``nausea``, ``pain_in_abdomen``); and study items the file defines itself, for
effects PRO-CTCAE has no item for (``muscle_cramps``) or for a measurement
(``weight_kg``, in kg). A key is stable: it is what reports store and what investigators
query by.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from diary.rules import pro_ctcae
from diary.rules.pro_ctcae import PRESENCE

KG = "kg"
# Every attribute name an item can have, in the order they are asked.
ATTRIBUTES = (*pro_ctcae.SCORED, PRESENCE, KG)
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# A scored study item's SDTM QSTESTCD (8 characters) starts with its key's first seven
# letters and digits (diary.exports.sdtm.qs), so no two scored study items may share them.
CODE_STEM = 7


@dataclass(frozen=True)
class SymptomItem:
    """One item of a study's questionnaire."""

    key: str
    term: str  # the reference term in English, as published or as the file names it
    attributes: tuple[str, ...]
    pro_ctcae_item: int | None = None
    # A measurement (weight) instead of scores: its unit and plausible bounds.
    unit: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @property
    def graded(self) -> bool:
        """Say whether the item has a composite grade (a measurement has none)."""
        return self.unit is None

    @property
    def first(self) -> str:
        """Return the attribute asked first: its 0 makes the others 0 (zero imputation)."""
        return self.attributes[0]


def catalogue(definition: dict) -> dict[str, SymptomItem]:
    """Return the study's items by key: its PRO-CTCAE items first, then its own.

    The definition is assumed checked (``catalogue_problems`` found nothing).
    """
    symptoms = definition.get("symptoms", {})
    library = pro_ctcae.library()
    items = [
        SymptomItem(library[number].key, library[number].term, library[number].attributes,
                    pro_ctcae_item=number)
        for number in symptoms.get("pro_ctcae_items", [])
    ]
    items.extend(_study_item(raw) for raw in symptoms.get("study_items", []))
    return {item.key: item for item in items}


def _study_item(raw: dict) -> SymptomItem:
    if raw.get("unit") == KG:
        return SymptomItem(raw["key"], raw["term"], (KG,), unit=KG,
                           minimum=Decimal(str(raw["minimum"])),
                           maximum=Decimal(str(raw["maximum"])))
    return SymptomItem(raw["key"], raw["term"], tuple(raw["attributes"]))


def catalogue_problems(definition: dict) -> list[str]:
    """Return what is wrong with a study's ``[symptoms]`` items (empty when usable)."""
    symptoms = definition.get("symptoms", {})
    if not isinstance(symptoms, dict):
        return ["Must be a table."]
    problems = []
    library = pro_ctcae.library()
    keys = []
    for number in symptoms.get("pro_ctcae_items", []):
        if not isinstance(number, int) or number not in library:
            problems.append(f"pro_ctcae_items: {number!r} is not an item of "
                            "diary/data/pro-ctcae-imatinib-items.csv.")
        else:
            keys.append(library[number].key)
    for raw in symptoms.get("study_items", []):
        problems.extend(_study_item_problems(raw))
        keys.append(raw.get("key") if isinstance(raw, dict) else None)
    repeated = sorted({key for key in keys if key and keys.count(key) > 1})
    if repeated:
        problems.append(f"Each item once: {', '.join(repeated)}.")
    measured = [raw.get("key") for raw in symptoms.get("study_items", [])
                if isinstance(raw, dict) and "unit" in raw]
    if len(measured) > 1:
        # A measurement in kg is the body weight: SDTM VS has one WEIGHT test, not two.
        problems.append(f"study_items: one measured item at most, the body weight in kg "
                        f"(SDTM VS WEIGHT): {', '.join(map(str, measured))}.")
    return problems or _stem_problems(symptoms.get("study_items", []))


def code_stem(key: str) -> str:
    """Return a key's letters and digits in upper case: "MUSCLECRAMPS" for muscle_cramps."""
    return key.replace("_", "").upper()


def _stem_problems(study_items: list[dict]) -> list[str]:
    by_stem: dict[str, list[str]] = {}
    for raw in study_items:
        if "unit" in raw:  # a measurement is exported in VS, with no QSTESTCD
            continue
        by_stem.setdefault(code_stem(raw["key"])[:CODE_STEM], []).append(raw["key"])
    return [f"study_items: {' and '.join(keys)} begin with the same {CODE_STEM} letters and "
            "digits, which name them in the SDTM export (QSTESTCD)."
            for keys in by_stem.values() if len(keys) > 1]


def _study_item_problems(raw) -> list[str]:
    if not isinstance(raw, dict):
        return ["study_items: each is a table."]
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        return [f"study_items: key {key!r} is lower case letters, digits and _ (at most 40)."]
    if not isinstance(raw.get("term"), str) or not raw["term"].strip():
        return [f"study_items.{key}: needs a term."]
    if "unit" in raw:
        return _measurement_problems(key, raw)
    attributes = raw.get("attributes")
    allowed = pro_ctcae.gradable_sets() | {(PRESENCE,)}
    if not isinstance(attributes, list) or tuple(attributes) not in allowed:
        return [f"study_items.{key}: attributes are a set PRO-CTCAE grades, in its order "
                "(frequency, severity, interference), or [\"presence\"]."]
    return []


def _measurement_problems(key: str, raw: dict) -> list[str]:
    if raw["unit"] != KG:
        return [f"study_items.{key}: the only unit is \"kg\"."]
    try:
        low, high = Decimal(str(raw["minimum"])), Decimal(str(raw["maximum"]))
    except (KeyError, InvalidOperation):
        return [f"study_items.{key}: needs a numeric minimum and maximum."]
    if not Decimal(0) < low < high <= Decimal("999.99"):
        return [f"study_items.{key}: 0 < minimum < maximum <= 999.99."]
    return []
