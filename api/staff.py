"""Staff accounts: admins manage them; everyone edits their own (``/staff/me``)."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint, one_page
from api.schemas.staff import (
    OWN_ACCOUNT_UPDATE_EXAMPLE,
    STAFF_CREATE_EXAMPLE,
    STAFF_UPDATE_EXAMPLE,
    OwnAccountUpdateSchema,
    SetPasswordCodeSchema,
    StaffCreatedSchema,
    StaffCreateSchema,
    StaffQueryArgsSchema,
    StaffSchema,
    StaffUpdateSchema,
)
from diary.operations import staff, staff_self

blp = Blueprint("staff", __name__, url_prefix="/staff",
                description="Staff accounts (admins), and one's own account (everyone).")

WRONG_CURRENT = ("A new password with a wrong current_password is a 422 naming "
                 "current_password; nothing changes.")


@blp.route("")
class Staff(MethodView):
    @staff_required("admin")
    @blp.arguments(StaffQueryArgsSchema, location="query")
    @blp.response(200, StaffSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """List staff accounts, by e-mail address."""
        return one_page(pagination_parameters, staff.list_staff, current_actor(), **filters)

    @staff_required("admin")
    @blp.arguments(StaffCreateSchema, example=STAFF_CREATE_EXAMPLE)
    @blp.response(201, StaffCreatedSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Add a staff member; the answer carries their one-time set-password code."""
        account, code, row = staff.create_staff(current_actor(), data)
        account.set_password_code = {"code": code, "expires_at": row.expires_at}
        return account


@blp.route("/me")
class OwnAccount(MethodView):
    @staff_required()
    @blp.response(200, StaffSchema)
    def get(self):
        """Show my own account."""
        return current_actor().staff

    @staff_required()
    @blp.arguments(OwnAccountUpdateSchema, example=OWN_ACCOUNT_UPDATE_EXAMPLE)
    @blp.response(200, StaffSchema)
    @blp.doc(description=WRONG_CURRENT)
    def patch(self, changes):
        """Change my phone, the language of my texts, my alerts or my password."""
        return staff_self.update_own_account(current_actor(), changes)


@blp.route("/<int:staff_id>")
class StaffById(MethodView):
    @staff_required("admin")
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, staff_id):
        """Show a staff account."""
        return staff.get_staff(current_actor(), staff_id)

    @staff_required("admin")
    @blp.arguments(StaffUpdateSchema, example=STAFF_UPDATE_EXAMPLE)
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, changes, staff_id):
        """Change a staff account, giving a reason (deactivate: active false)."""
        return staff.update_staff(current_actor(), staff_id, changes)


@blp.route("/<int:staff_id>/set-password-code")
class StaffSetPasswordCode(MethodView):
    @staff_required("admin")
    @blp.response(201, SetPasswordCodeSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, staff_id):
        """Issue a new one-time set-password code; earlier unused ones stop working."""
        code, row = staff.issue_set_password_code(current_actor(), staff_id)
        return {"code": code, "expires_at": row.expires_at}
