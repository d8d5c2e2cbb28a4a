"""TODO: filled in by its feature."""

from flask_smorest import Blueprint

blp = Blueprint("participants", __name__, url_prefix="/participants")
