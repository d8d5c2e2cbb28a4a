"""TODO: filled in by its feature."""

from flask_smorest import Blueprint

blp = Blueprint("alerts", __name__, url_prefix="/alerts")
