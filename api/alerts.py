"""Alerts for study staff: list, read, acknowledge, close."""

from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint, one_page
from api.errors import ErrorSchema
from api.schemas.alerts import (
    ALERT_CLOSE_EXAMPLE,
    AlertCloseSchema,
    AlertQueryArgsSchema,
    AlertSchema,
)
from diary.operations.alerts import (
    acknowledge_alert,
    close_alert,
    get_alert_for_staff,
    list_alerts_for_staff,
)

blp = Blueprint("alerts", __name__, url_prefix="/alerts",
                description="Alerts for the study team at the caller's sites.")

alert_schema = AlertSchema()
alerts_schema = AlertSchema(many=True)
alert_query_args_schema = AlertQueryArgsSchema()
alert_close_schema = AlertCloseSchema()


@blp.route("")
class Alerts(MethodView):
    @staff_required()
    @blp.arguments(alert_query_args_schema, location="query", as_kwargs=True)
    @blp.response(200, alerts_schema)
    @blp.paginate()
    def get(self, pagination_parameters, status=None, kind=None):
        """List the alerts of the caller's sites, newest first."""
        return one_page(pagination_parameters, list_alerts_for_staff, current_actor(),
                        status=status, kind=kind)


@blp.route("/<int:alert_id>")
class AlertById(MethodView):
    @staff_required()
    @blp.response(200, alert_schema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such alert at the caller's sites.")
    def get(self, alert_id):
        """Show one alert."""
        return get_alert_for_staff(current_actor(), alert_id)


@blp.route("/<int:alert_id>/acknowledge")
class AlertAcknowledge(MethodView):
    @staff_required("coordinator", "investigator", "admin")
    @blp.response(200, alert_schema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such alert at the caller's sites.")
    @blp.alt_response(409, schema=ErrorSchema, description="The alert is already closed.")
    def post(self, alert_id):
        """Acknowledge an alert: someone is dealing with it, so escalation stops."""
        return acknowledge_alert(current_actor(), alert_id)


@blp.route("/<int:alert_id>/close")
class AlertClose(MethodView):
    @staff_required("coordinator", "investigator", "admin")
    @blp.arguments(alert_close_schema, example=ALERT_CLOSE_EXAMPLE)
    @blp.response(200, alert_schema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such alert at the caller's sites.")
    @blp.alt_response(409, schema=ErrorSchema, description="The alert is already closed.")
    def post(self, data, alert_id):
        """Close an alert, saying why."""
        return close_alert(current_actor(), alert_id, data["reason"])
