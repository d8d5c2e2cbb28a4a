"""Adherence reports for staff: one participant's, and the cohort's as JSON or CSV."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.report_csv import csv_doc, csv_response, wants_csv
from api.schemas.adherence_reports import (
    AdherenceWindowArgsSchema,
    CohortAdherenceArgsSchema,
    CohortAdherenceSchema,
    ParticipantAdherenceSchema,
)
from diary.operations.reports.adherence import REASONS, cohort_adherence, cohort_rows
from diary.operations.reports.participant_adherence import participant_adherence
from diary.operations.reports.report_scope import resolve_study

participant_blp = Blueprint("participant_adherence", __name__, url_prefix="/participants",
                            description="A participant's adherence over a window (staff).")
blp = Blueprint("adherence_reports", __name__, url_prefix="/reports",
                description="The cohort's adherence, for staff of their sites (admins: all).")

CSV_DOC = csv_doc("participant_id,study_code,site_code,...\r\n1,S01-001,SEV,...\r\n",
                  "With `Accept: text/csv`: one row per participant, with a header, streamed.")
_FIGURES = ("start", "end", "days", "expected", "taken", "missed", "unreported", "held",
            "taken_while_held", "mg_taken", "mg_prescribed", "mg_protocol", "adherence",
            "dose_intensity", "relative_dose_intensity", "longest_gap", "late", "vomited",
            "below_threshold")
CSV_HEADER = ("participant_id", "study_code", "site_code", "status", "withdrawn_on",
              "threshold", *_FIGURES, *(f"missed_{reason}" for reason in REASONS))


@participant_blp.route("/<int:participant_id>/adherence")
class ParticipantAdherence(MethodView):
    @staff_required()
    @participant_blp.arguments(AdherenceWindowArgsSchema, location="query", as_kwargs=False)
    @participant_blp.response(200, ParticipantAdherenceSchema)
    @participant_blp.alt_response(404, schema=ErrorSchema,
                                  description="Not a participant of your sites.")
    def get(self, window, participant_id):
        """Show a participant's adherence over a window (study days or dates), week by week."""
        return participant_adherence(current_actor(), participant_id, window)


@blp.route("/adherence")
class CohortAdherence(MethodView):
    @staff_required()
    @blp.arguments(CohortAdherenceArgsSchema, location="query")
    @blp.response(200, CohortAdherenceSchema)
    @blp.doc(**CSV_DOC)
    def get(self, query):
        """Show the cohort's adherence over a window: pooled, spread, by site, per participant.

        `Accept: text/csv` answers one CSV row per participant instead, streamed.
        """
        actor = current_actor()
        study_id = resolve_study(actor, query["study"])
        if wants_csv():
            _, rows = cohort_rows(actor, query["window"], query["site"], study_id=study_id)
            return csv_response("adherence", CSV_HEADER, map(_csv_row, rows))
        return cohort_adherence(actor, query["window"], query["site"], study_id=study_id)


def _csv_row(row) -> tuple:
    figures = row.figures
    return (row.participant_id, row.study_code, row.site_code, row.status, row.withdrawn_on,
            row.threshold, *(getattr(figures, name) for name in _FIGURES),
            *(figures.missed_reasons.get(reason, 0) for reason in REASONS))
