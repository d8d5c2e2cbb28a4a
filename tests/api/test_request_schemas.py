"""Every request schema reads with the strict fields of api.schemas.fields."""

import importlib
import pkgutil

import marshmallow as ma

import api.schemas
from api.schemas import common, fields
from api.schemas.common import LocalTime

# What a body or a query may be read with. A plain String, Boolean, Decimal, Date or
# DateTime would let a NUL, "yes", "400" or the year 1 through.
ALLOWED = (fields.Text, fields.Id, fields.WholeNumber, fields.StrictBoolean,
           fields.QueryBoolean, fields.Milligrams, fields.Kilograms, fields.Score, fields.Day,
           fields.Instant, fields.SiteRef, LocalTime, ma.fields.UUID, ma.fields.List)


def _request_schemas():
    bases = (common.WriteSchema, common.QueryArgsSchema)
    for info in pkgutil.iter_modules(api.schemas.__path__):
        module = importlib.import_module(f"api.schemas.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, bases) and value not in bases:
                yield value


def test_every_request_field_is_a_strict_field():
    schemas = set(_request_schemas())
    assert len(schemas) >= 10
    for schema in schemas:
        for name, field in schema().load_fields.items():
            assert isinstance(field, ALLOWED), f"{schema.__name__}.{name}: {type(field)}"
            if isinstance(field, ma.fields.List):
                # Sync entries are Raw: they are read one by one with DoseWriteSchema (or
                # SymptomReportWriteSchema). A nested body is a write schema of its own,
                # itself checked here (it is one of the schemas found).
                inner = field.inner
                nested = isinstance(inner, ma.fields.Nested) and issubclass(
                    type(inner.schema), common.WriteSchema)
                assert nested or isinstance(inner, (*ALLOWED, ma.fields.Raw)), (
                    f"{schema.__name__}.{name}")


def test_body_integers_are_strict_and_query_integers_read_text():
    for schema in _request_schemas():
        for name, field in schema().load_fields.items():
            if isinstance(field, ma.fields.Integer):
                assert field.strict is issubclass(schema, common.WriteSchema), name
