"""FHIR R4 mappings: a participant's diary as one collection Bundle, checked before it leaves.

One module per resource; ``bundle`` puts them together and ``checks`` validates the
result with ``fhir.resources``' R4B models plus the rules those models do not enforce.
The mappings read model rows and never write; the operation
(``diary.operations.fhir_export``) gathers the rows, audits and commits.
"""
