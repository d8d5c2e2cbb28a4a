"""TODO: Twilio webhooks."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
