"""The primary endpoint and the safety reports, as JSON or as CSV (``Accept: text/csv``)."""

from collections.abc import Callable

from flask import Response
from flask.views import MethodView

from api.auth import current_actor, staff_required
from api.blueprint import Blueprint
from api.errors import ErrorSchema
from api.report_csv import csv_doc, csv_response, wants_csv
from api.schemas.outcome_reports import (
    AdverseEventTableSchema,
    AlertFiguresSchema,
    PrimaryEndpointSchema,
    ReportQueryArgsSchema,
    SafetyWindowArgsSchema,
    SymptomTableSchema,
    WindowQueryArgsSchema,
)
from diary.operations.reports import alerts, outcomes, safety
from diary.operations.reports.report_scope import resolve_study
from diary.rules.rounding import FRACTION_PLACES, half_up

blp = Blueprint("outcome_reports", __name__, url_prefix="/reports",
                description="Investigators' reports over the participants of your sites "
                            "(admins: all), or of one site: JSON, or CSV with Accept: text/csv.")

BAD_INPUT = "A site that is not one of yours, or a window that ends before it starts."
BAD_WINDOW = ("A site that is not one of yours, or a window that cannot be read: day 0, "
              "study days mixed with dates, or an end before the start.")


def _fraction(value) -> str | None:
    # Fractions carry four decimals in CSV: 0.8571.
    return None if value is None else str(half_up(value, FRACTION_PLACES))


def _answer(report: dict, to_csv: Callable[[dict], Response]):
    return to_csv(report) if wants_csv() else report


_OUTCOME_COLUMNS = ["study_code", "site", "target_day", "outcome", "not_evaluable_reason",
                    "visit_date", "visit_day", "response", "survival", "adherence"]


def _primary_csv(report: dict) -> Response:
    rows = ([row.study_code, row.site, row.target_day, row.outcome, row.not_evaluable_reason,
             row.visit_date.isoformat() if row.visit_date else None, row.visit_day,
             row.response, row.survival, _fraction(row.adherence)]
            for row in report["rows"])
    return csv_response("primary-endpoint", _OUTCOME_COLUMNS, rows)


_BANDS = ("any", "grade_1_2", "grade_3", "grade_4", "grade_5")


def _adverse_event_csv(report: dict) -> Response:
    header = ["term", "coded", "participants",
              *[f"{band}_{part}" for band in _BANDS for part in ("n", "percent")],
              "serious_participants"]
    rows = ([term["term"], term["coded"], report["participants"],
             *[term[band][part] for band in _BANDS for part in ("n", "percent")],
             term["serious_participants"]] for term in report["terms"])
    return csv_response("adverse-events", header, rows)


def _symptom_csv(report: dict) -> Response:
    grades = [f"grade_{grade}" for grade in range(4)]
    header = ["item", "participants", *[f"{g}_{part}" for g in grades for part in ("n", "percent")]]
    rows = ([item["item"], item["participants"],
             *[item[g][part] for g in grades for part in ("n", "percent")]]
            for item in report["items"])
    return csv_response("symptoms", header, rows)


def _alert_csv(report: dict) -> Response:
    header = ["kind", "urgency", "alerts", "acknowledged", "closed", "acted_on",
              "acknowledge_minutes_median", "acknowledge_minutes_p90"]
    rows = ([row["kind"], row["urgency"], row["alerts"], row["acknowledged"], row["closed"],
             row["acted_on"], row["acknowledge_minutes"]["median"],
             row["acknowledge_minutes"]["p90"]] for row in report["by_kind"])
    return csv_response("alerts", header, rows)


@blp.route("/primary-endpoint")
class PrimaryEndpoint(MethodView):
    @staff_required()
    @blp.arguments(ReportQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, PrimaryEndpointSchema)
    @blp.doc(**csv_doc(",".join(_OUTCOME_COLUMNS) + "\r\n"))
    @blp.alt_response(422, schema=ErrorSchema, description=BAD_INPUT)
    def get(self, site=None, study=None):
        """Show the week-16 non-progression rate with its exact 95 % CI, and survival."""
        actor = current_actor()
        return _answer(outcomes.primary_endpoint(actor, site, study_id=resolve_study(actor, study)),
                       _primary_csv)


@blp.route("/adverse-events")
class AdverseEventReport(MethodView):
    @staff_required()
    @blp.arguments(SafetyWindowArgsSchema, location="query")
    @blp.response(200, AdverseEventTableSchema)
    @blp.doc(**csv_doc("term,coded,participants,any_n,any_percent,...\r\n"))
    @blp.alt_response(422, schema=ErrorSchema, description=BAD_WINDOW)
    def get(self, query):
        """Show participants by CTCAE term and worst grade, and the serious events.

        A window (study days or dates) keeps the events whose onset could lie in it: an
        onset known only to the month or the year counts when the window meets it, and
        `partial_onsets` says how many were counted so.
        """
        actor = current_actor()
        return _answer(safety.adverse_event_table(actor, query["site"], query["window"],
                                                  study_id=resolve_study(actor, query["study"])),
                       _adverse_event_csv)


@blp.route("/symptoms")
class SymptomReport(MethodView):
    @staff_required()
    @blp.arguments(SafetyWindowArgsSchema, location="query")
    @blp.response(200, SymptomTableSchema)
    @blp.doc(**csv_doc("item,participants,grade_0_n,grade_0_percent,...\r\n"))
    @blp.alt_response(422, schema=ErrorSchema, description=BAD_WINDOW)
    def get(self, query):
        """Show participants by PRO-CTCAE item and worst composite grade, by report date."""
        actor = current_actor()
        return _answer(safety.symptom_table(actor, query["site"], query["window"],
                                            study_id=resolve_study(actor, query["study"])),
                       _symptom_csv)


@blp.route("/alerts")
class AlertReport(MethodView):
    @staff_required()
    @blp.arguments(WindowQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AlertFiguresSchema)
    @blp.doc(**csv_doc("kind,urgency,alerts,acknowledged,closed,acted_on,...\r\n"))
    @blp.alt_response(422, schema=ErrorSchema, description=BAD_INPUT)
    def get(self, site=None, study=None, start=None, end=None):
        """Show alerts by rule and urgency, time to acknowledge, and what they led to."""
        actor = current_actor()
        return _answer(alerts.alert_figures(actor, site, start, end,
                                            study_id=resolve_study(actor, study)), _alert_csv)
