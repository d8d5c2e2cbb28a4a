"""What a study file says about who may enrol and the arm they are in, with defaults.

Read from the definition's ``min_age_years`` and ``[arm]``; a study that says nothing
gets the defaults below (a study enrolling children must say so).
"""

from dataclasses import dataclass

# Most protocols enrol adults; a paediatric one (NCT02495519: "Age >= 10 years") says so.
DEFAULT_MIN_AGE_YEARS = 18
OLDEST_AGE_YEARS = 130
# SDTM ARMCD is at most 20 characters; ARM at most 200.
ARMCD_LENGTH, ARM_LENGTH = 20, 200


@dataclass(frozen=True)
class Arm:
    """A study arm as SDTM DM names it: ARMCD (a short code) and ARM (its description)."""

    code: str
    name: str


def min_age_years(definition: dict) -> int:
    """Return the protocol's minimum age at enrolment in whole years."""
    return int(definition.get("min_age_years", DEFAULT_MIN_AGE_YEARS))


def study_arm(definition: dict) -> Arm:
    """Return the study's arm: ``[arm]``, or else one named after the drug (single arm)."""
    arm = definition.get("arm") or {}
    drug = str(definition.get("drug", {}).get("name", "TREATMENT")).upper()
    return Arm(code=str(arm.get("code", drug[:ARMCD_LENGTH])), name=str(arm.get("name", drug)))


def design_problems(definition: dict) -> dict[str, list[str]]:
    """Return what is wrong with ``min_age_years`` and ``[arm]``, by key."""
    problems: dict[str, list[str]] = {}
    age = definition.get("min_age_years", DEFAULT_MIN_AGE_YEARS)
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= OLDEST_AGE_YEARS:
        problems["min_age_years"] = [f"A whole number of years from 0 to {OLDEST_AGE_YEARS}."]
    arm = definition.get("arm", {})
    if not isinstance(arm, dict):
        return {**problems, "arm": ["A table with code and name."]}
    code, name = arm.get("code", "x"), arm.get("name", "x")
    if not (isinstance(code, str) and 0 < len(code) <= ARMCD_LENGTH and code.isascii()):
        problems.setdefault("arm", []).append(f"code: ASCII, 1 to {ARMCD_LENGTH} characters.")
    if not (isinstance(name, str) and 0 < len(name) <= ARM_LENGTH and name.isascii()):
        problems.setdefault("arm", []).append(f"name: ASCII, 1 to {ARM_LENGTH} characters.")
    return problems


def age_errors(age_years: int, minimum_years: int) -> list[str]:
    """Return why an age at enrolment is refused by the protocol, if it is."""
    if age_years < minimum_years:
        return [f"The protocol enrols participants aged {minimum_years} and over."]
    return []
