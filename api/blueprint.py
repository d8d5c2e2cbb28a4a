"""Our flask-smorest Blueprint: JSON bodies read strictly, page numbers bounded."""

from functools import wraps

import flask_smorest
import marshmallow as ma
from flask import request
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from diary.json import StrictJSONError, loads_strict

# (page - 1) * page_size becomes an OFFSET: a million pages of 100 is far beyond any
# study, and far inside what every database's OFFSET holds.
MAX_PAGE = 1_000_000


class StrictJSONParser(FlaskParser):
    """webargs' Flask parser, reading bodies with ``diary.json.loads_strict``."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return loads_strict(req.get_data(cache=True).decode("utf-8"))

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        if isinstance(error, StrictJSONError):
            abort(400, message=f"The JSON body is refused. {error.msg}",
                  messages={"json": [error.msg]})
        abort(400, message="The body is not valid JSON.", messages={"json": ["Invalid JSON body."]})


def _bounded_pages(schema: type[ma.Schema]) -> type[ma.Schema]:
    first_page = schema._declared_fields["page"].load_default

    class BoundedPaginationParametersSchema(schema):
        page = ma.fields.Integer(load_default=first_page,
                                 validate=ma.validate.Range(min=1, max=MAX_PAGE))

    return BoundedPaginationParametersSchema


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose bodies and pages cannot reach past the database."""

    ARGUMENTS_PARSER = StrictJSONParser()

    def paginate(self, pager=None, **kwargs):
        """Paginate as flask-smorest does, refusing (422) a page beyond ``MAX_PAGE``."""
        paginate = super().paginate(pager, **kwargs)

        def decorator(func):
            wrapper = paginate(func)
            parameters = wrapper._apidoc["pagination"]["parameters"]
            bounded = parameters["schema"] = _bounded_pages(parameters["schema"])

            @wraps(wrapper)
            def checked(*args, **kw):
                self.PAGINATION_ARGUMENTS_PARSER.parse(bounded, request, location="query")
                return wrapper(*args, **kw)

            return checked

        return decorator


def one_page(pagination, list_page, *args, **kwargs) -> list:
    """Call a paging operation for the request's page; record its total for X-Pagination."""
    rows, total = list_page(*args, page=pagination.page, page_size=pagination.page_size,
                            **kwargs)
    pagination.item_count = total
    return rows
