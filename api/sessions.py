"""Staff sign-in, sign-out and first password; a participant's phone exchanging its code."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.limits import rate_limited
from api.schemas.sessions import (
    ACTIVATE_EXAMPLE,
    LOGIN_EXAMPLE,
    ActivateSchema,
    ActivationSchema,
    LoginSchema,
    StaffTokenSchema,
)
from api.schemas.staff import SET_PASSWORD_EXAMPLE, SetPasswordSchema
from diary.operations.activation import activate_device
from diary.operations.sessions import FACTOR_REQUIRED, login, logout
from diary.operations.set_password import set_password

blp = Blueprint("auth", __name__, url_prefix="/auth",
                description="Staff sessions and device activation.")

_NO_TOKEN = {"security": []}


@blp.route("/login")
class Login(MethodView):
    @rate_limited("DIARY_RATELIMIT_SIGN_IN")
    @blp.doc(**_NO_TOKEN)
    @blp.arguments(LoginSchema, example=LOGIN_EXAMPLE)
    @blp.response(200, StaffTokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description=(
        "A wrong e-mail or password (or a locked account: the same answer); or, for an "
        "account with a second factor, a missing code (errors.totp_code: Required for this "
        "account) or a wrong or already used one (errors.totp_code or errors.recovery_code); "
        "a wrong code counts toward the lockout as a wrong password does"),
        example={"code": 401, "status": "Unauthorized", "message": FACTOR_REQUIRED,
                 "errors": {"totp_code": ["Required for this account."]}})
    def post(self, credentials):
        """Sign a staff member in (with the second factor's code if set up); return a token.

        Someone who must have a second factor and has none gets a token of scope enrol,
        good only for setting one up.
        """
        token, row = login(credentials["email"], credentials["password"],
                           totp_code=credentials.get("totp_code"),
                           recovery_code=credentials.get("recovery_code"))
        return {"access_token": token, "expires_at": row.expires_at, "scope": row.scope}


@blp.route("/logout")
class Logout(MethodView):
    @staff_required(enrolment=True)
    @blp.response(204)
    def post(self):
        """Revoke the staff token this request carries."""
        logout(current_actor())


@blp.route("/set-password")
class SetPassword(MethodView):
    @rate_limited("DIARY_RATELIMIT_SET_PASSWORD")
    @blp.doc(**_NO_TOKEN)
    @blp.arguments(SetPasswordSchema, example=SET_PASSWORD_EXAMPLE)
    @blp.response(204)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, body):
        """Set my password with the one-time code an admin gave me; then sign in."""
        set_password(body["code"], body["password"])


@blp.route("/activate")
class Activate(MethodView):
    @rate_limited("DIARY_RATELIMIT_ACTIVATE")
    @blp.doc(**_NO_TOKEN)
    @blp.arguments(ActivateSchema, example=ACTIVATE_EXAMPLE)
    @blp.response(200, ActivationSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, body):
        """Exchange a one-time activation code for a device token."""
        token, row, participant = activate_device(body["code"])
        return {"access_token": token, "expires_at": row.expires_at, "participant": participant}
