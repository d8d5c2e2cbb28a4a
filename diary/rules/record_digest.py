"""The digest a sign-off binds to: a canonical form of a participant's clinical data.

A signature must stay linked to the data it signs (21 CFR Part 11 §11.70). What is signed
is the data version in force: the participant's identity, the current version of every
dose entry and adverse event, every symptom report and the regimen. A correction, a new
entry or a regimen change gives another digest, so an earlier sign-off no longer matches;
a change that is not clinical data (a reminder time, a locale) does not.
"""

import hashlib
import json

_IDENTITY = ("id", "study_code", "site_id", "enrolled_on")


def signed_data(record: dict) -> dict:
    """Return the part of a participant's record (``diary.operations.clinical_record``) a
    sign-off covers."""
    return {
        "participant": {name: record["participant"][name] for name in _IDENTITY},
        "regimen": record["regimen"],
        "doses": [dose for dose in record["doses"] if dose["is_current"]],
        "adverse_events": [
            {"id": event["id"],
             "current": next(v for v in event["versions"] if v["is_current"])}
            for event in record["adverse_events"]],
        "symptom_reports": record["symptom_reports"],
    }


def canonical_json(data) -> bytes:
    """Return one byte string for a JSON-safe value: sorted keys, no spaces, UTF-8."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def record_digest(record: dict) -> str:
    """Return the hex SHA-256 of the signed part of a participant's record."""
    return hashlib.sha256(canonical_json(signed_data(record))).hexdigest()
