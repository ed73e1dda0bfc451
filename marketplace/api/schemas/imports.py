"""A spreadsheet import's answer, and its query."""
from __future__ import annotations

from marshmallow import fields

from marketplace.api.schemas.base import ApiSchema, Integer, List, Nested, String


class ImportQuerySchema(ApiSchema):
    dry_run = fields.Boolean(load_default=False, truthy={"1", "true", "yes"}, falsy={"0", "false", "no"},
                             metadata={"description": "1: check every row and store nothing."})


class RowProblemSchema(ApiSchema):
    row = Integer(metadata={"description": "The sheet's own row number; the header is row 1."})
    field = String(metadata={"description": "The API's field name of the column, or `file`."})
    message = String()


class ImportResultSchema(ApiSchema):
    rows = Integer(metadata={"description": "Rows read under the header."})
    created = Integer(metadata={"description": "Stored: all rows, or none when any row has a problem."})
    errors = List(Nested(RowProblemSchema))


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": ".xlsx (first sheet) or .csv; headed by the API's field names or "
                                           "the template's headers in Vietnamese or English; at most 2,000 rows."}}}}}}}
