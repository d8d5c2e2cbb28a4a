"""Fuzz the whole OpenAPI document in-process: no 5xx, and every answer as documented.

schemathesis generates requests from /api/v1/openapi.json (valid and invalid bodies,
queries and paths) and sends them to the app with a staff and a device token, on the
suite's database. Bounded and derandomized: the same cases on every run.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from diary.app import create_app
from tests.factories import make_participant, make_staff, token_for


def _openapi_document() -> dict:
    # The document does not depend on the database: read it from an app that never
    # connects. The cases themselves go to the suite's app (``app=`` below).
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"})
    return app.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_openapi_document())
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(site):
    """Return the Authorization header an operation's security asks for."""
    staff = token_for(make_staff("admin", sites=[site]))
    device = token_for(make_participant(site=site))

    def header_for(case) -> dict:
        security = case.operation.definition.raw.get("security", [{}])
        names = {name for requirement in security for name in requirement}
        if "deviceToken" in names:
            return {"Authorization": f"Bearer {device}"}
        if "staffToken" in names:
            return {"Authorization": f"Bearer {staff}"}
        return {}

    return header_for


@schema.parametrize()
@settings(max_examples=40, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_answers_as_its_openapi_document_says(case, app, bearer):
    case.call_and_validate(app=app, headers=bearer(case), checks=CHECKS)
