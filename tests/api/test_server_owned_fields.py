"""A participant can never set a server-owned field (OWASP API3: mass assignment).

The fields are read from the OpenAPI document: whatever a participant's write answers with
but does not take (the recorded time, the source, the late flag, a composite grade, the
version...) is the server's. Sent anyway, it is refused with a 422 naming it, and nothing
is written: no row of any table added, removed or changed. A field added to an answer
tomorrow is covered without touching this test.
"""

import copy
import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from diary.extensions import db
from tests.api.access_world import WORLD_TIME, make_world, url
from tests.factories import auth, make_participant, token_for

FROZEN_AT = WORLD_TIME
pytestmark = pytest.mark.usefixtures("clock")
WRITES = ("post", "put", "patch")
# What is sent for a server-owned field, by its documented type: a value it could hold.
PLAUSIBLE = {"integer": 3, "number": 3.0, "boolean": False, "array": [], "object": {},
             "string": "x", "date": "2026-03-01", "date-time": "2026-03-01T00:00:00+00:00"}


def _resolve(spec, schema: dict) -> dict:
    """Follow a schema's $ref (and a nullable allOf around one) to its definition."""
    while True:
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif len(schema.get("allOf", [])) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _objects(spec, schema: dict):
    """Yield every object schema inside ``schema`` (itself, its properties, array items)."""
    schema = _resolve(spec, schema)
    if schema.get("type") == "array":
        yield from _objects(spec, schema.get("items", {}))
        return
    if "properties" in schema:
        yield schema
        for prop in schema["properties"].values():
            yield from _objects(spec, prop)


def _resource(spec, request: dict, response: dict) -> dict | None:
    """Return the object in the answer that the request writes: the one sharing most fields."""
    taken = set(request.get("properties", {}))
    candidates = [(len(taken & set(found["properties"])), i, found)
                  for i, found in enumerate(_objects(spec, response))]
    best = max(candidates, default=(0, 0, None))
    return best[2] if best[0] else None


def _server_owned(spec, request: dict, response: dict, path=()):
    """Yield (path in the body, field, its schema) for each field answered but not taken."""
    request = _resolve(spec, request)
    resource = _resource(spec, request, response)
    if resource is None and not path:  # an answer unlike the request (a sign-in's token)
        resource = _resolve(spec, response)
    if "properties" not in (resource or {}):
        return
    for name, prop in resource["properties"].items():
        if name not in request.get("properties", {}):
            yield path, name, _resolve(spec, prop)
            continue
        taken = _resolve(spec, request["properties"][name])
        if taken.get("type") == "array":  # a list of objects: the first one of the example
            yield from _server_owned(spec, taken.get("items", {}), prop, (*path, name, 0))
        elif "properties" in taken:
            yield from _server_owned(spec, taken, prop, (*path, name))


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _writes(spec, device: bool):
    """Yield (method, path, request schema, answer schema, example) of the device writes
    (``device``), or of every other write: staff's and the sign-ins."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in WRITES:
                continue
            kinds = {name for scheme in operation.get("security", []) for name in scheme}
            if ("deviceToken" in kinds) != device or "requestBody" not in operation:
                continue
            body = operation["requestBody"]["content"]["application/json"]
            answers = [answer["content"]["application/json"]["schema"]
                       for status, answer in operation["responses"].items()
                       if status.startswith("2") and "content" in answer]
            if answers:  # a 204 answers nothing, so it shows no field of the server's
                yield method, path, body["schema"], answers[0], body["example"]


def _cases(spec, device: bool = True):
    """Yield (method, path, a body carrying one server-owned field, where the field sits)."""
    writes = list(_writes(spec, device))
    for method, path, request, response, example in writes:
        for where, name, prop in _server_owned(spec, request, response):
            yield method, path, _with(example, where, name, prop), (*where, name)
        yield from _uploads(spec, writes, method, path, request, example)


def _uploads(spec, writes, method, path, request, example):
    """The same for an upload of entries of any kind (the offline sync): each entry is the
    body of another write, so it carries that write's server-owned fields, one entry a time."""
    for key, prop in _resolve(spec, request).get("properties", {}).items():
        prop = _resolve(spec, prop)
        items = _resolve(spec, prop.get("items", {}))
        if prop.get("type") != "array" or "type" in items or "properties" in items:
            continue  # not a list of anything: of strings, or of an object _server_owned saw
        twins = {}
        for entry in (entry for entry in example.get(key, []) if isinstance(entry, dict)):
            twin = max(writes, key=lambda write: len(
                set(entry) & set(_resolve(spec, write[2]).get("properties", {}))))
            twins.setdefault(twin[1], (twin, entry))
        for (_, _, twin_request, twin_response, _), entry in twins.values():
            for where, name, field in _server_owned(spec, twin_request, twin_response):
                yield (method, path, {key: [_with(entry, where, name, field)]},
                       (key, 0, *where, name))


def _with(example, where, name, prop):
    """Return a copy of the example with the field set at its place (one of its values)."""
    body = copy.deepcopy(example)
    target = body
    for step in where:
        target = target[step]
    kind = prop.get("format") or prop.get("type")
    target[name] = prop["enum"][0] if "enum" in prop else PLAUSIBLE.get(kind, "x")
    return body


@pytest.fixture(scope="module")
def tables(app) -> list[sa.Table]:
    """Every table of the database as it stands (alembic's own too), not only the models'."""
    with app.app_context():
        found = sa.MetaData()
        found.reflect(bind=db.engine)
        return found.sorted_tables


def _contents(tables) -> dict[str, str]:
    """Return a digest of every row of every table, by table name.

    Stored values as read back (not the models' view of them), every column, rows in key
    order: a row inserted, deleted or changed in any column changes its table's digest.
    """
    digests = {}
    for table in tables:
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
        digests[table.name] = digest.hexdigest()
    return digests


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def _named(errors, field_path) -> bool:
    """Whether the error body names the field at its place in the body."""
    for step in field_path:
        if not isinstance(errors, dict) or str(step) not in {str(key) for key in errors}:
            return False
        errors = next(value for key, value in errors.items() if str(key) == str(step))
    return True


def test_the_server_owned_fields_found_include_the_protocols_own(spec):
    """The document is read right: the recorded time, the source, the late flag, the
    version and the composite grade are found server-owned, on each participant write."""
    found = {(path, where[-1]) for _, path, _, where in _cases(spec)}
    for field in ("recorded_at", "source", "late", "version", "is_current", "study_day", "id"):
        assert ("/api/v1/me/doses", field) in found
    for field in ("recorded_at", "source", "grade", "advice", "study_day", "id"):
        assert ("/api/v1/me/symptom-reports", field) in found


def test_a_participant_cannot_set_a_server_owned_field(client, spec, tables, app_context):
    participant = make_participant(enrolled="2026-03-01")
    device = auth(token_for(participant))
    cases = list(_cases(spec))
    assert len(cases) >= 20
    before = _contents(tables)  # and after each refusal, as it changes nothing
    for method, path, body, field_path in cases:
        response = client.open(path, method=method.upper(), json=body, headers=device)
        refusal = _refusal(response, field_path)
        assert refusal["code"] == 422, (path, field_path, refusal)
        assert _named(refusal["errors"], field_path[2:] if "results" in response.get_json()
                      else field_path), (path, field_path, refusal)
        after = _contents(tables)
        assert after == before, (path, field_path, _changed(before, after))


def _refusal(response, field_path) -> dict:
    """Return the error: the answer's, or for an upload the one entry's (refused alone)."""
    answer = response.get_json()
    if response.status_code == 200 and "results" in answer:
        [result] = answer["results"]
        assert result["result"] == "rejected", (field_path, result)
        return result
    assert response.status_code == 422, (field_path, answer)
    return answer


def test_nor_can_staff_or_someone_signing_in(client, spec, tables, site):
    """The same for every other write, sent by an admin (whom no role check stops): a
    client cannot ask for a token's scope, set a participant's id or a staff member's
    last sign-in."""
    world = make_world(client, site)
    admin = auth(token_for(world["admin"]))
    cases = list(_cases(spec, device=False))
    assert len(cases) >= 20
    before = _contents(tables)  # and after each refusal, as it changes nothing
    for method, path, body, field_path in cases:
        response = client.open(url(path, world), method=method.upper(), json=body, headers=admin)
        assert response.status_code == 422, (path, field_path, response.get_json())
        assert _named(response.get_json()["errors"], field_path), (path, field_path)
        after = _contents(tables)
        assert after == before, (path, field_path, _changed(before, after))
