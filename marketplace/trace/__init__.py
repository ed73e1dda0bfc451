"""Traceability: lots, their GS1 Digital Links and QR codes, EPCIS 2.0 trace
events and the public trace page a lot's QR code opens."""
from flask import Blueprint

bp = Blueprint("trace", __name__)

from marketplace.trace import views  # noqa: E402,F401  (routes)
