"""Participants' symptom reports as staff see them: ``/participants/{id}/symptom-reports``."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.symptoms import (
    STAFF_SYMPTOM_REPORT_EXAMPLE,
    StaffSymptomReportAnswerSchema,
    StaffSymptomReportSchema,
    StaffSymptomReportWriteSchema,
    SymptomReportQueryArgsSchema,
)
from diary.operations.participants import EDITORS
from diary.operations.symptom_reports import (
    DUPLICATE,
    list_symptom_reports_for_staff,
    record_symptom_report_for_staff,
)

blp = Blueprint("staff_symptoms", __name__, url_prefix="/participants",
                description="Participants' symptom reports, for staff of their sites.")

NOT_YOURS = "Not a participant of your sites."


@blp.route("/<int:participant_id>/symptom-reports")
class ParticipantSymptomReports(MethodView):
    @staff_required()
    @blp.arguments(SymptomReportQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, StaffSymptomReportSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id, start, end):
        """List a participant's symptom reports by day, in the order they were made."""
        return list_symptom_reports_for_staff(current_actor(), participant_id, start=start,
                                              end=end)

    @staff_required(*EDITORS)
    @blp.arguments(StaffSymptomReportWriteSchema, example=STAFF_SYMPTOM_REPORT_EXAMPLE)
    @blp.response(201, StaffSymptomReportAnswerSchema)
    @blp.alt_response(200, schema=StaffSymptomReportAnswerSchema,
                      description="The same report again: as it was recorded.")
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    @blp.alt_response(409, schema=ErrorSchema, description="client_id reused for another report.")
    def post(self, write, participant_id):
        """Enter a report on the participant's behalf, with the reason; its alerts are raised."""
        result = record_symptom_report_for_staff(current_actor(), participant_id, write.report,
                                                 write.reason)
        return result, 200 if result.outcome == DUPLICATE else 201
