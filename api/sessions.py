"""Staff sign-in and sign-out, and a participant's phone exchanging its activation code."""

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
from diary.operations.activation import activate_device
from diary.operations.sessions import login, logout

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
