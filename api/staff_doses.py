"""A participant's dose diary as staff see it: ``/api/v1/participants/{id}/doses``."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.doses import (
    STAFF_DOSE_WRITE_EXAMPLE,
    DoseQueryArgsSchema,
    StaffDoseSchema,
    StaffDoseWriteSchema,
)
from diary.operations.doses import DUPLICATE, list_doses_for_staff, record_dose_for_staff

blp = Blueprint("staff_doses", __name__, url_prefix="/participants",
                description="Participants' dose diaries, for staff of their sites.")

CONFLICTS = "client_id reused for another entry, or a correction without a reason."


@blp.route("/<int:participant_id>/doses")
class ParticipantDoses(MethodView):
    @staff_required()
    @blp.arguments(DoseQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, StaffDoseSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="Not a participant of your sites.")
    def get(self, participant_id, start, end, history):
        """List a participant's entries by day (every version with history=true)."""
        return list_doses_for_staff(current_actor(), participant_id, start=start, end=end,
                                    history=history)

    @staff_required("coordinator", "admin")
    @blp.arguments(StaffDoseWriteSchema, example=STAFF_DOSE_WRITE_EXAMPLE)
    @blp.response(201, StaffDoseSchema)
    @blp.alt_response(200, schema=StaffDoseSchema, description="The same write again.")
    @blp.alt_response(404, schema=ErrorSchema, description="Not a participant of your sites.")
    @blp.alt_response(409, schema=ErrorSchema, description=CONFLICTS)
    def post(self, write, participant_id):
        """Record a day's entry on the participant's behalf, with the reason."""
        result = record_dose_for_staff(current_actor(), participant_id, write.dose,
                                       write.reason)
        return result.entry, 200 if result.outcome == DUPLICATE else 201
