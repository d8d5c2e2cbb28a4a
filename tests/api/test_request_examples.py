"""Every write operation documents a realistic request body: one its own schema accepts."""

import importlib
import pkgutil

import marshmallow as ma

import api.schemas


def _request_schemas_by_component() -> dict[str, type[ma.Schema]]:
    # flask-smorest names a schema's component after its class, less "Schema".
    found = {}
    for info in pkgutil.iter_modules(api.schemas.__path__):
        module = importlib.import_module(f"api.schemas.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, ma.Schema):
                found[name.removesuffix("Schema")] = value
    return found


def _write_operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("post", "put", "patch") and "requestBody" in operation:
                yield f"{method.upper()} {path}", operation["requestBody"]


def test_every_write_operation_has_an_example_its_schema_accepts(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = _request_schemas_by_component()
    checked = 0
    for where, body in _write_operations(spec):
        content = body["content"]["application/json"]
        assert "example" in content, f"{where} has no request example"
        component = content["schema"]["$ref"].rsplit("/", 1)[-1]
        errors = schemas[component]().validate(content["example"])
        assert errors == {}, (where, errors)
        checked += 1
    assert checked >= 10


def test_the_sync_example_holds_entries_of_each_kind_their_writes_accept(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    example = spec["paths"]["/api/v1/me/sync"]["post"]["requestBody"]["content"][
        "application/json"]["example"]
    entries = example["entries"]
    schemas = {"dose": api.schemas.doses.DoseWriteSchema(),
               "symptom_report": api.schemas.symptoms.SymptomReportWriteSchema()}
    kinds = [entry.get("kind", "dose") for entry in entries]
    assert set(kinds) == set(schemas)
    for kind, entry in zip(kinds, entries, strict=True):
        body = {name: value for name, value in entry.items() if name != "kind"}
        assert schemas[kind].validate(body) == {}, (kind, body)
