"""POST /api/v1/listings/import and /orders/import: many at once from a
spreadsheet, all or nothing, the same checks as one at a time."""
from __future__ import annotations

from flask import jsonify, make_response, request
from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import api_blueprint, fails_with, multipart_body
from marketplace.api.schemas.imports import UPLOAD_BODY, ImportQuerySchema, ImportResultSchema
from marketplace.core.clock import local_today
from marketplace.core.validation import InvalidInput
from marketplace.listings.imports import import_listings
from marketplace.orders.imports import import_orders
from marketplace.trade.imports import ImportResult

bp = api_blueprint("api_imports", __name__, "Listings and orders from a spreadsheet.")


def _answer(run, args: dict):
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput({"file": _("Send the spreadsheet in the field “file”.")})
    result: ImportResult = run(current_user(), upload, local_today(), dry_run=args["dry_run"])
    body = {"rows": result.rows, "created": result.created,
            "errors": [{"row": p.row, "field": p.field, "message": p.message} for p in result.errors]}
    if not result.ok:
        # The error shape, and the rows' problems beside it.
        error = {"code": "invalid_rows", "message": _("Nothing was stored: some rows have problems."),
                 "fields": {}}
        return make_response(jsonify({"error": error, **body}), 422)
    return body, 201 if result.created else 200


@bp.route("/listings/import", endpoint="import_listings")
class ListingsImport(MethodView):
    @token_required
    @multipart_body
    @fails_with(403, 415)
    @bp.arguments(ImportQuerySchema, location="query")
    @bp.doc(**UPLOAD_BODY)
    @bp.response(201, ImportResultSchema)
    def post(self, args: dict):
        """Listings from a spreadsheet (producers)

        Every row is checked as `POST /listings` would; if any row has a
        problem nothing is stored and the 422 lists every problem in `errors`
        (`row` is the sheet's row number, the header being row 1). With
        `dry_run=1` nothing is stored either way (200).
        """
        return _answer(import_listings, args)


@bp.route("/orders/import", endpoint="import_orders")
class OrdersImport(MethodView):
    @token_required
    @multipart_body
    @fails_with(403, 415)
    @bp.arguments(ImportQuerySchema, location="query")
    @bp.doc(**UPLOAD_BODY)
    @bp.response(201, ImportResultSchema)
    def post(self, args: dict):
        """Demand orders from a spreadsheet (distributors)

        As for listings: all rows or none, every problem listed.
        """
        return _answer(import_orders, args)
