"""The participant's own diary, reached with the device token: ``/api/v1/me``."""

from flask.views import MethodView

from api.auth import current_actor, participant_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.doses import (
    DOSE_WRITE_EXAMPLE,
    AdherenceOverviewSchema,
    DoseQueryArgsSchema,
    DoseSchema,
    DoseWriteSchema,
    ProfileSchema,
)
from api.schemas.sync import SYNC_EXAMPLE, SyncResponseSchema, SyncSchema, load_sync_items
from diary.operations.adherence import adherence_overview
from diary.operations.doses import DUPLICATE, list_doses, participant_profile, record_dose
from diary.operations.sync import sync_entries

blp = Blueprint("me", __name__, url_prefix="/me",
                description="The participant's own diary (device token).")

CONFLICTS = "client_id reused for another entry, or a correction without a reason."


@blp.route("")
class Me(MethodView):
    @participant_required
    @blp.response(200, ProfileSchema)
    def get(self):
        """Show my study, today's study day and today's prescribed dose."""
        actor = current_actor()
        return participant_profile(actor.participant, actor.study)


@blp.route("/doses")
class MyDoses(MethodView):
    @participant_required
    @blp.arguments(DoseQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, DoseSchema(many=True))
    def get(self, start, end, history):
        """List my entries by day (current versions; every version with history=true)."""
        return list_doses(current_actor().participant, start=start, end=end, history=history)

    @participant_required
    # An instance, not the class: webargs would build a new schema for every request.
    @blp.arguments(DoseWriteSchema(), example=DOSE_WRITE_EXAMPLE)
    @blp.response(201, DoseSchema)
    @blp.alt_response(200, schema=DoseSchema, description="The same write again: its entry.")
    @blp.alt_response(409, schema=ErrorSchema, description=CONFLICTS)
    def post(self, dose):
        """Record a day's dose, or correct it with a correction_reason."""
        actor = current_actor()
        result = record_dose(actor.participant, actor.study, dose, actor=actor, source="app")
        return result.entry, 200 if result.outcome == DUPLICATE else 201


@blp.route("/sync")
class MySync(MethodView):
    @participant_required
    @blp.arguments(SyncSchema, example=SYNC_EXAMPLE)
    @blp.response(200, SyncResponseSchema)
    def post(self, data):
        """Upload entries kept offline (doses, symptom reports); each recorded or refused alone."""
        actor = current_actor()
        items = load_sync_items(data["entries"])
        return {"results": sync_entries(actor.participant, actor.study, items, actor=actor)}


@blp.route("/adherence")
class MyAdherence(MethodView):
    @participant_required
    @blp.response(200, AdherenceOverviewSchema)
    def get(self):
        """Show my adherence so far and this study week."""
        actor = current_actor()
        return adherence_overview(actor.participant, actor.study)
