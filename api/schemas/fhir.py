"""FHIR exports, as the OpenAPI document describes them (the body is FHIR's, not ours)."""

import marshmallow as ma


class FhirBundleSchema(ma.Schema):
    """A FHIR R4 Bundle of type collection (documentation only: FHIR defines the rest)."""

    class Meta:
        unknown = ma.INCLUDE

    resourceType = ma.fields.String(metadata={"enum": ["Bundle"]})
    type = ma.fields.String(metadata={"enum": ["collection"]})
    timestamp = ma.fields.String(metadata={"format": "date-time"})
    entry = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "The Patient, then a MedicationAdministration per dose entry, an "
                       "AdverseEvent per event and a QuestionnaireResponse per symptom "
                       "report; each with a urn:uuid fullUrl."})
