"""A staff member's second factor (TOTP): set it up at first sign-in; an admin resets it."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.limits import rate_limited
from api.schemas.second_factor import (
    CONFIRM_EXAMPLE,
    REGENERATE_EXAMPLE,
    RESET_EXAMPLE,
    ConfirmSchema,
    EnrolledSchema,
    EnrolmentSchema,
    RecoveryCodesSchema,
    RegenerateCodesSchema,
    ResetSchema,
)
from diary.operations import recovery_codes, second_factor

blp = Blueprint("second_factor", __name__, url_prefix="",
                description="Staff second factor: enrolment, confirmation, recovery codes, reset.")


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


@blp.route("/auth/second-factor/recovery-codes")
class RecoveryCodes(MethodView):
    @rate_limited("DIARY_RATELIMIT_SIGN_IN")  # a password and a code guessed, as at sign-in
    @staff_required()
    @blp.arguments(RegenerateCodesSchema, example=REGENERATE_EXAMPLE)
    @blp.response(200, RecoveryCodesSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=(
        "The password or the TOTP code is wrong (errors.password / errors.totp_code; "
        "counted toward the sign-in lockout), the account is locked, no second factor is "
        "set up, or the token is only for enrolment"))
    def post(self, body):
        """Replace my recovery codes: ten new ones, shown once; the old ones stop working."""
        codes = recovery_codes.regenerate_recovery_codes(
            current_actor(), body["password"], body["totp_code"])
        return {"recovery_codes": codes}


@blp.route("/staff/<int:staff_id>/second-factor/reset")
class SecondFactorReset(MethodView):
    @staff_required("admin")
    @blp.arguments(ResetSchema, example=RESET_EXAMPLE)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, body, staff_id):
        """Take away a staff member's lost second factor; their sessions end."""
        second_factor.reset_second_factor(current_actor(), staff_id, body["reason"])
