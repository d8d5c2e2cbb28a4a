"""The participant's own symptom reports (device token): ``/api/v1/me/symptom-…``."""

from flask.views import MethodView

from api.auth import current_actor, participant_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.symptoms import (
    SYMPTOM_REPORT_EXAMPLE,
    SymptomItemsSchema,
    SymptomReportAnswerSchema,
    SymptomReportQueryArgsSchema,
    SymptomReportSchema,
    SymptomReportWriteSchema,
)
from diary.operations.symptom_reports import (
    DUPLICATE,
    list_symptom_reports,
    record_symptom_report,
    symptom_items,
)

blp = Blueprint("me_symptoms", __name__, url_prefix="/me",
                description="The participant's own symptom reports (device token).")


@blp.route("/symptom-items")
class MySymptomItems(MethodView):
    @participant_required
    @blp.response(200, SymptomItemsSchema)
    def get(self):
        """List the symptom items my study asks about, in my language."""
        actor = current_actor()
        return symptom_items(actor.participant, actor.study)


@blp.route("/symptom-reports")
class MySymptomReports(MethodView):
    @participant_required
    @blp.arguments(SymptomReportQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SymptomReportSchema(many=True))
    def get(self, start, end):
        """List my symptom reports by day, in the order they were made."""
        return list_symptom_reports(current_actor().participant, start=start, end=end)

    @participant_required
    @blp.arguments(SymptomReportWriteSchema(), example=SYMPTOM_REPORT_EXAMPLE)
    @blp.response(201, SymptomReportAnswerSchema)
    @blp.alt_response(200, schema=SymptomReportAnswerSchema,
                      description="The same report again: as it was recorded.")
    @blp.alt_response(409, schema=ErrorSchema,
                      description="client_id reused for another report, or withdrawn.")
    def post(self, report):
        """Report symptoms; the answer grades each item and says what to do now."""
        actor = current_actor()
        result = record_symptom_report(actor.participant, actor.study, report, actor=actor,
                                       source="app")
        return result, 200 if result.outcome == DUPLICATE else 201
