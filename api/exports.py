"""Datasets for the statistician: ``/api/v1/exports/sdtm``."""

import os
import tempfile

from flask import Response
from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.adherence_reports import study_field
from api.schemas.common import QueryArgsSchema
from diary.operations.sdtm_export import EXPORTERS, export_sdtm

blp = Blueprint("exports", __name__, url_prefix="/exports",
                description="Datasets of your sites' participants (admins: every site); "
                            "each export is in the audit trail.")

REPLACED_HEADER = "X-Non-ASCII-Replaced"
ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}


class SdtmExportArgsSchema(QueryArgsSchema):
    study = study_field("A study code: that study's datasets (needed when your participants "
                        "are in two studies; a package holds one).")


@blp.route("/sdtm")
class SdtmExport(MethodView):
    @staff_required(*EXPORTERS)
    @blp.doc(responses={"200": {
        "description": "A zip: csv/<domain>.csv, xpt/<domain>.xpt (SAS transport v5) and "
                       "variables.csv. The header X-Non-ASCII-Replaced says how many values "
                       "the XPT files carry as a marker (the CSV keeps the text).",
        "content": ZIP,
        "headers": {REPLACED_HEADER: {"description": "Values written as the non-ASCII marker.",
                                      "schema": {"type": "integer", "minimum": 0}}}}})
    @blp.arguments(SdtmExportArgsSchema, location="query", as_kwargs=True)
    @blp.alt_response(409, schema=ErrorSchema,
                      description="A value SAS transport version 5 cannot hold (over 200 "
                                  "bytes); the message names the dataset, variable and record.")
    @blp.alt_response(422, schema=ErrorSchema,
                      description="A study none of your participants is in, or none named "
                                  "while they are in two.")
    def get(self, study=None):
        """Download the CDISC SDTM datasets (TS, DM, EC, EX, AE, QS, VS, RS, SUPP--) as a zip.

        One study's: `study` names it, and may be left out while your participants are
        all in one study.
        """
        handle, path = tempfile.mkstemp(prefix="sdtm-", suffix=".zip")
        os.close(handle)
        try:
            summary = export_sdtm(current_actor(), path, study=study)
            # Open, then unlink: the file lives as long as the response reads it, no longer.
            archive = open(path, "rb")  # noqa: SIM115 - closed by _chunks or on close
        finally:
            os.unlink(path)
        response = Response(_chunks(archive), mimetype="application/zip", headers={
            "Content-Disposition": "attachment; filename=sdtm.zip",
            "Content-Length": str(os.fstat(archive.fileno()).st_size),
            REPLACED_HEADER: str(summary.non_ascii_replaced),
        })
        response.call_on_close(archive.close)
        return response


def _chunks(archive, size: int = 64 * 1024):
    """Yield the file's bytes a piece at a time, and close it once read to the end."""
    with archive:
        while chunk := archive.read(size):
            yield chunk
