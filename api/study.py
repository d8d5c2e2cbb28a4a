"""The study's protocol figures and the caller's sites, for staff."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.schemas.study import SiteSchema, StudyQueryArgsSchema, StudySchema
from diary.operations.sites import list_sites
from diary.operations.study_info import study_for_staff, study_summary

blp = Blueprint("study", __name__, url_prefix="",
                description="The study and the caller's sites (staff only).")


@blp.route("/study")
class StudyInfo(MethodView):
    @staff_required()
    @blp.arguments(StudyQueryArgsSchema, location="query")
    @blp.response(200, StudySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args):
        """Show the study: regimen, windows, adherence threshold, reminders, quiet hours."""
        return study_summary(study_for_staff(current_actor(), args.get("code")))


@blp.route("/sites")
class Sites(MethodView):
    @staff_required()
    @blp.response(200, SiteSchema(many=True))
    def get(self):
        """List the caller's sites (an admin's: every site), by code."""
        return list_sites(current_actor())
