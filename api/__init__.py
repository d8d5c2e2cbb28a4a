"""HTTP only: flask-smorest blueprints and marshmallow schemas. Parse, call, respond."""

from http import HTTPStatus

from apispec import BasePlugin
from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest.pagination import PaginationMetadataSchema

from api.auth import BEARER_SCHEME
from api.errors import ErrorSchema


class Api(SmorestApi):
    """flask-smorest's Api, documenting our error body; the handlers live in api.errors."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # api.errors registers one handler set for the whole app, API or not.
        pass

    def _register_pagination_header(self):
        # X-Pagination carries JSON text; a header "schema" of type object would mean
        # OpenAPI's k=v,k=v form. A header's "content" says what the text encodes.
        self.spec.components.header("PAGINATION", {
            "description": "Pagination metadata, as JSON",
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }, lazy=True)


class ErrorResponsesPlugin(BasePlugin):
    """Document the refusals an operation can meet before or beside its own decorators.

    A body that is not JSON, or not valid JSON, is a 400; one over MAX_CONTENT_LENGTH is
    a 413. Any operation answers 503 while the database is out of reach. flask-smorest
    documents only what the view's decorators declare.
    """

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault(400, HTTPStatus.BAD_REQUEST.name)
                responses.setdefault(413, HTTPStatus(413).name)
            responses.setdefault(503, HTTPStatus.SERVICE_UNAVAILABLE.name)


api = Api(spec_kwargs={"extra_plugins": [ErrorResponsesPlugin()]})


def register_blueprints(app: Flask) -> None:
    """Mount every resource under /api/v1 and document the two kinds of token."""
    from api import health
    from api.converters import IdConverter
    from api.limits import document_rate_limits

    # Before any route is added: every <int:…> in a path is an id the database can hold.
    app.url_map.converters["int"] = IdConverter
    api.init_app(app)
    api.spec.components.security_scheme("staffToken", BEARER_SCHEME)
    api.spec.components.security_scheme("deviceToken", BEARER_SCHEME)
    document_rate_limits(api.spec)
    for blueprint in _api_blueprints():
        api.register_blueprint(blueprint, url_prefix="/api/v1" + blueprint.url_prefix)
    app.register_blueprint(health.bp)
    for blueprint in _plain_blueprints():
        app.register_blueprint(blueprint)
    from api.docs import docs_page

    app.view_functions["api-docs.openapi_swagger_ui"] = docs_page


def _api_blueprints():
    """Return the flask-smorest blueprints, each with its own url_prefix under /api/v1."""
    from api import (
        adherence_reports,
        adverse_events,
        alerts,
        exports,
        fhir,
        me,
        outcome_reports,
        outcomes,
        participants,
        second_factor,
        sessions,
        sign_offs,
        staff,
        staff_doses,
        staff_symptoms,
        study,
        symptoms,
    )

    return [sessions.blp, second_factor.blp, participants.blp, staff_doses.blp,
            staff_symptoms.blp, adverse_events.blp, outcomes.blp, sign_offs.blp, me.blp,
            symptoms.blp, alerts.blp, outcome_reports.blp, staff.blp, study.blp, fhir.blp,
            exports.blp, adherence_reports.participant_blp, adherence_reports.blp]


def _plain_blueprints():
    """Return blueprints outside the documented API (webhooks, the docs page's assets)."""
    from api import docs, webhooks

    return [webhooks.bp, docs.bp]
