"""TODO: filled in by its feature."""

from flask_smorest import Blueprint

blp = Blueprint("me", __name__, url_prefix="/me")
