"""CDISC SDTM datasets: one mapping module per domain, the variables' metadata, the writer.

Mappings are functions of plain values (a ``Subject`` and the records it carries); the
operation that exports (``diary.operations.sdtm_export``) gathers them from the database.
"""
