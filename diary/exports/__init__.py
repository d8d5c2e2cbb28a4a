"""Datasets and copies (FHIR, SDTM, the certified record): a package per format, never
model methods."""
