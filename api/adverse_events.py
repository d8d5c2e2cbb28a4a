"""Adverse events staff record: ``/api/v1/participants/{id}/adverse-events``."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.adverse_events import (
    ADVERSE_EVENT_CREATE_EXAMPLE,
    ADVERSE_EVENT_UPDATE_EXAMPLE,
    AdverseEventCreateSchema,
    AdverseEventQueryArgsSchema,
    AdverseEventSchema,
    AdverseEventUpdateSchema,
)
from diary.operations import adverse_events
from diary.operations.adverse_events import WRITERS

blp = Blueprint("adverse_events", __name__, url_prefix="/participants",
                description="Participants' adverse events, recorded by staff of their sites; "
                            "every change a new version, nothing deleted.")

NOT_YOURS = "Not a participant (or an event) of your sites."
CONFLICTS = ("The regimen refuses the action's change (a dose change from that date "
             "exists, holds overlap), or corrects what the event already wrote to it.")


@blp.route("/<int:participant_id>/adverse-events")
class AdverseEvents(MethodView):
    @staff_required()
    @blp.arguments(AdverseEventQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AdverseEventSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id, history):
        """List a participant's adverse events, oldest first (every version with history=true)."""
        return adverse_events.list_adverse_events(current_actor(), participant_id,
                                                  history=history)

    @staff_required(*WRITERS)
    @blp.arguments(AdverseEventCreateSchema, example=ADVERSE_EVENT_CREATE_EXAMPLE)
    @blp.response(201, AdverseEventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    @blp.alt_response(409, schema=ErrorSchema, description=CONFLICTS)
    def post(self, write, participant_id):
        """Record an adverse event; a serious one alerts the site at once."""
        return adverse_events.record_adverse_event(current_actor(), participant_id,
                                                   write.facts, write.reason), 201


@blp.route("/<int:participant_id>/adverse-events/<int:event_id>")
class AdverseEventById(MethodView):
    @staff_required()
    @blp.arguments(AdverseEventQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AdverseEventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    def get(self, participant_id, event_id, history):
        """Show an adverse event (every version with history=true)."""
        return adverse_events.get_adverse_event(current_actor(), participant_id, event_id,
                                                history=history)

    @staff_required(*WRITERS)
    @blp.arguments(AdverseEventUpdateSchema, example=ADVERSE_EVENT_UPDATE_EXAMPLE)
    @blp.response(200, AdverseEventSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=NOT_YOURS)
    @blp.alt_response(409, schema=ErrorSchema, description=CONFLICTS)
    def patch(self, change, participant_id, event_id):
        """Change an event with a reason: a new version, the old one kept."""
        return adverse_events.change_adverse_event(current_actor(), participant_id, event_id,
                                                   change.changes, change.reason)
