"""Staff sign-in, sign-out and first password; a participant's phone exchanging its code."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.schemas.sessions import (
    ACTIVATE_EXAMPLE,
    LOGIN_EXAMPLE,
    ActivateSchema,
    ActivationSchema,
    LoginSchema,
    TokenSchema,
)
from api.schemas.staff import SET_PASSWORD_EXAMPLE, SetPasswordSchema
from diary.operations.activation import activate_device
from diary.operations.sessions import login, logout
from diary.operations.set_password import set_password

blp = Blueprint("auth", __name__, url_prefix="/auth",
                description="Staff sessions and device activation.")

_NO_TOKEN = {"security": []}


@blp.route("/login")
class Login(MethodView):
    @blp.doc(**_NO_TOKEN)
    @blp.arguments(LoginSchema, example=LOGIN_EXAMPLE)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, credentials):
        """Sign a staff member in and return a bearer token."""
        token, row = login(credentials["email"], credentials["password"])
        return {"access_token": token, "expires_at": row.expires_at}


@blp.route("/logout")
class Logout(MethodView):
    @staff_required()
    @blp.response(204)
    def post(self):
        """Revoke the staff token this request carries."""
        logout(current_actor())


@blp.route("/set-password")
class SetPassword(MethodView):
    @blp.doc(**_NO_TOKEN)
    @blp.arguments(SetPasswordSchema, example=SET_PASSWORD_EXAMPLE)
    @blp.response(204)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, body):
        """Set my password with the one-time code an admin gave me; then sign in."""
        set_password(body["code"], body["password"])


@blp.route("/activate")
class Activate(MethodView):
    @blp.doc(**_NO_TOKEN)
    @blp.arguments(ActivateSchema, example=ACTIVATE_EXAMPLE)
    @blp.response(200, ActivationSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, body):
        """Exchange a one-time activation code for a device token."""
        token, row, participant = activate_device(body["code"])
        return {"access_token": token, "expires_at": row.expires_at, "participant": participant}
