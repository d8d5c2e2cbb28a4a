"""A staff member's second factor (TOTP): set it up at first sign-in; an admin resets it."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.schemas.second_factor import (
    CONFIRM_EXAMPLE,
    RESET_EXAMPLE,
    ConfirmSchema,
    EnrolledSchema,
    EnrolmentSchema,
    ResetSchema,
)
from diary.operations import second_factor

blp = Blueprint("second_factor", __name__, url_prefix="",
                description="Staff second factor: enrolment, confirmation, reset.")


@blp.route("/auth/second-factor")
class SecondFactor(MethodView):
    @staff_required(enrolment=True)
    @blp.response(201, EnrolmentSchema)
    @blp.alt_response(409, schema=ErrorSchema,
                      description="A second factor is already set up (an admin resets it)")
    def post(self):
        """Start setting up my second factor: a new secret, as a URI and a QR code."""
        return second_factor.start_enrolment(current_actor())


@blp.route("/auth/second-factor/confirm")
class SecondFactorConfirm(MethodView):
    @staff_required(enrolment=True)
    @blp.arguments(ConfirmSchema, example=CONFIRM_EXAMPLE)
    @blp.response(200, EnrolledSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="No enrolment is waiting")
    @blp.alt_response(422, schema=ErrorSchema,
                      description="The code is wrong (errors.totp_code), or not six digits")
    def post(self, body):
        """Confirm my second factor with a first code: recovery codes and a full token."""
        codes, token, row = second_factor.confirm_enrolment(current_actor(), body["totp_code"])
        return {"recovery_codes": codes, "access_token": token, "expires_at": row.expires_at,
                "scope": row.scope}


@blp.route("/staff/<int:staff_id>/second-factor/reset")
class SecondFactorReset(MethodView):
    @staff_required("admin")
    @blp.arguments(ResetSchema, example=RESET_EXAMPLE)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, body, staff_id):
        """Take away a staff member's lost second factor; their sessions end."""
        second_factor.reset_second_factor(current_actor(), staff_id, body["reason"])
