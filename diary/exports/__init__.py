"""Dataset mappings (FHIR, SDTM): each format a package of its own, never model methods."""
