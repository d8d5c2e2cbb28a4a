"""Check a Bundle before it leaves: the R4B models, and what the models do not check.

``fhir.resources``' R4B models check structure and datatypes (a required element, a
dateTime's form, an unknown element) but not terminology, nor anything across resources.
So we also check the codes of the required bindings we use, that every reference
resolves inside its Bundle (or to a contained resource), and that a dose not given says
why (MedicationAdministration's mad-1 rule).
"""

from collections.abc import Iterator

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from diary.errors import DomainError
from diary.exports.fhir.systems import AE_OUTCOME, AE_SEVERITY

# Required bindings (R4 value sets): a code outside them is not FHIR.
BUNDLE_TYPES = frozenset({"document", "message", "transaction", "transaction-response",
                          "batch", "batch-response", "history", "searchset", "collection"})
REQUIRED_CODES = {
    "MedicationAdministration": {"status": frozenset({
        "in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped",
        "unknown"})},
    "AdverseEvent": {"actuality": frozenset({"actual", "potential"})},
    "QuestionnaireResponse": {"status": frozenset({
        "in-progress", "completed", "amended", "entered-in-error", "stopped"})},
}
# Required bindings on CodeableConcepts: a coding of the value set's system must be there.
REQUIRED_CONCEPTS = {
    "AdverseEvent": {
        "severity": (AE_SEVERITY, frozenset({"mild", "moderate", "severe"})),
        "outcome": (AE_OUTCOME, frozenset({"resolved", "recovering", "ongoing",
                                           "resolvedWithSequelae", "fatal", "unknown"})),
    },
}


class InvalidBundle(DomainError):
    """A Bundle we made that is not valid FHIR R4: a fault in a mapping, never sent out."""

    status = 422

    def __init__(self, problems: list[str]):
        super().__init__("The record does not make a valid FHIR R4 Bundle; nothing was "
                         "exported.", {"bundle": problems})
        self.problems = problems


def validate_bundle(bundle: dict) -> None:
    """Raise InvalidBundle naming every problem of a Bundle (and of the Bundles inside it)."""
    problems = bundle_problems(bundle)
    if problems:
        raise InvalidBundle(problems)


def bundle_problems(bundle: dict) -> list[str]:
    """Return what is wrong with a Bundle, each problem as "where: what" (no values)."""
    try:
        Bundle.model_validate(bundle)
        problems = []
    except ValidationError as error:
        problems = [f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                    for item in error.errors(include_input=False, include_url=False)]
    return problems + list(_rule_problems(bundle, ""))


def _rule_problems(bundle: dict, where: str) -> Iterator[str]:
    if bundle.get("type") not in BUNDLE_TYPES:
        yield f"{where}type: not a Bundle type code"
    entries = [entry for entry in bundle.get("entry") or [] if isinstance(entry, dict)]
    urls = [entry.get("fullUrl") for entry in entries]
    if len(set(urls)) != len(urls):
        yield f"{where}entry: two entries share a fullUrl"
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        here = f"{where}entry.{index}.resource"
        if resource.get("resourceType") == "Bundle":
            yield from _rule_problems(resource, f"{here}.")
            continue
        yield from _code_problems(resource, here)
        yield from _reference_problems(resource, here, set(urls))
        if (resource.get("resourceType") == "MedicationAdministration"
                and resource.get("status") == "not-done" and not resource.get("statusReason")):
            yield f"{here}.statusReason: a not-done administration must say why (mad-1)"


def _code_problems(resource: dict, where: str) -> Iterator[str]:
    kind = resource.get("resourceType")
    for element, codes in REQUIRED_CODES.get(kind, {}).items():
        if resource.get(element) not in codes:
            yield f"{where}.{element}: not a code of {kind}.{element}'s required value set"
    for element, (system, codes) in REQUIRED_CONCEPTS.get(kind, {}).items():
        concept = resource.get(element)
        if concept is None:
            continue
        codings = (concept.get("coding") or []) if isinstance(concept, dict) else []
        if not any(isinstance(coding, dict) and coding.get("system") == system
                   and coding.get("code") in codes for coding in codings):
            yield f"{where}.{element}: no coding from {kind}.{element}'s required value set"


def _reference_problems(resource: dict, where: str, urls: set) -> Iterator[str]:
    contained = {inner.get("id") for inner in resource.get("contained") or []
                 if isinstance(inner, dict)}
    for path, target in _references(resource, where):
        local = target.startswith("#")
        if (target[1:] not in contained) if local else (target not in urls):
            yield f"{path}: the reference does not resolve inside the Bundle"


def _references(value, path: str) -> Iterator[tuple[str, str]]:
    """Yield (where, reference) for every Reference.reference inside a resource."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reference" and isinstance(inner, str):
                yield f"{path}.reference", inner
            else:
                yield from _references(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _references(inner, f"{path}.{index}")
