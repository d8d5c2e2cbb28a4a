"""Participants for staff: enrolment, the list, changes, regimen, activation codes, audit."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint, one_page
from api.schemas.audit import AuditEventSchema
from api.schemas.participants import (
    PARTICIPANT_CREATE_EXAMPLE,
    PARTICIPANT_UPDATE_EXAMPLE,
    ParticipantCreateSchema,
    ParticipantQueryArgsSchema,
    ParticipantSchema,
    ParticipantUpdateSchema,
)
from api.schemas.regimen import (
    DOSE_CHANGE_EXAMPLE,
    DOSE_HOLD_END_EXAMPLE,
    DOSE_HOLD_EXAMPLE,
    DoseChangeCreateSchema,
    DoseHoldCreateSchema,
    DoseHoldEndSchema,
    DoseHoldSchema,
    PrescribedDoseSchema,
    RegimenSchema,
)
from api.schemas.sessions import ActivationCodeSchema
from api.schemas.texts import (
    MessageQueryArgsSchema,
    MessageSchema,
    ReceivedTextQueryArgsSchema,
    ReceivedTextSchema,
)
from diary.operations import activation, participants, regimen, texts

blp = Blueprint("participants", __name__, url_prefix="/participants",
                description="Participants of the caller's sites (staff only).")

EDITORS = participants.EDITORS


@blp.route("")
class Participants(MethodView):
    @staff_required()
    @blp.arguments(ParticipantQueryArgsSchema, location="query")
    @blp.response(200, ParticipantSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """List the participants of the caller's sites, by study code."""
        return one_page(pagination_parameters, participants.list_participants,
                        current_actor(), **filters)

    @staff_required(*EDITORS)
    @blp.arguments(ParticipantCreateSchema, example=PARTICIPANT_CREATE_EXAMPLE)
    @blp.response(201, ParticipantSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Enrol a participant with the study's starting dose.

        Name the site by its code, `"site": "SEV"`, or by its id, `"site": 1` (`"site_id": 1`
        works too); `GET /api/v1/sites` lists yours. For example:
        `{"study_code": "S01-001", "site": "SEV", "enrolled_on": "2026-03-02",
        "phone": "010-1234-5678", "sms_consent": true}`.
        """
        return participants.enrol_participant(current_actor(), data)


@blp.route("/<int:participant_id>")
class ParticipantById(MethodView):
    @staff_required()
    @blp.response(200, ParticipantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, participant_id):
        """Show a participant, with today's study day and prescribed dose."""
        return participants.get_participant(current_actor(), participant_id)

    @staff_required(*EDITORS)
    @blp.arguments(ParticipantUpdateSchema, example=PARTICIPANT_UPDATE_EXAMPLE)
    @blp.response(200, ParticipantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, changes, participant_id):
        """Change a participant's details, giving a reason (withdraw: status "withdrawn")."""
        return participants.update_participant(current_actor(), participant_id, changes)


@blp.route("/<int:participant_id>/regimen")
class Regimen(MethodView):
    @staff_required()
    @blp.response(200, RegimenSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, participant_id):
        """List a participant's prescribed doses and holds, oldest first."""
        return regimen.get_regimen(current_actor(), participant_id)


@blp.route("/<int:participant_id>/dose-changes")
class DoseChanges(MethodView):
    @staff_required(*EDITORS)
    @blp.arguments(DoseChangeCreateSchema, example=DOSE_CHANGE_EXAMPLE)
    @blp.response(201, PrescribedDoseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, participant_id):
        """Prescribe a new daily dose from a date on."""
        return regimen.change_dose(current_actor(), participant_id, data)


@blp.route("/<int:participant_id>/dose-holds")
class DoseHolds(MethodView):
    @staff_required(*EDITORS)
    @blp.arguments(DoseHoldCreateSchema, example=DOSE_HOLD_EXAMPLE)
    @blp.response(201, DoseHoldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, participant_id):
        """Hold the drug from a date, to an end date or until the hold is ended."""
        return regimen.start_hold(current_actor(), participant_id, data)


@blp.route("/<int:participant_id>/dose-holds/<int:hold_id>")
class DoseHoldById(MethodView):
    @staff_required(*EDITORS)
    @blp.arguments(DoseHoldEndSchema, example=DOSE_HOLD_END_EXAMPLE)
    @blp.response(200, DoseHoldSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, participant_id, hold_id):
        """End an open hold on a given day (inclusive)."""
        return regimen.end_hold(current_actor(), participant_id, hold_id, data)


@blp.route("/<int:participant_id>/activation-code")
class ActivationCode(MethodView):
    @staff_required(*EDITORS)
    @blp.response(201, ActivationCodeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, participant_id):
        """Issue a one-time code to link the participant's phone; older codes stop working."""
        code, row = activation.issue_activation_code(current_actor(), participant_id)
        return {"code": code, "expires_at": row.expires_at}


@blp.route("/<int:participant_id>/audit")
class AuditTrail(MethodView):
    @staff_required()
    @blp.response(200, AuditEventSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, participant_id, pagination_parameters):
        """List a participant's audit events, newest first."""
        return one_page(pagination_parameters, participants.list_audit_events,
                        current_actor(), participant_id)


@blp.route("/<int:participant_id>/texts")
class ReceivedTexts(MethodView):
    @staff_required()
    @blp.arguments(ReceivedTextQueryArgsSchema, location="query")
    @blp.response(200, ReceivedTextSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, filters, participant_id, pagination_parameters):
        """List the texts a participant sent, newest first (`intent=unknown`: to follow up)."""
        return one_page(pagination_parameters, texts.list_received_texts,
                        current_actor(), participant_id, **filters)


@blp.route("/<int:participant_id>/messages")
class Messages(MethodView):
    @staff_required()
    @blp.arguments(MessageQueryArgsSchema, location="query")
    @blp.response(200, MessageSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate()
    def get(self, filters, participant_id, pagination_parameters):
        """List the texts planned for and sent to a participant, latest due first."""
        return one_page(pagination_parameters, texts.list_messages,
                        current_actor(), participant_id, **filters)
