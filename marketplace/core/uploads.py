"""Bodies larger than MAX_CONTENT_LENGTH only on the routes that take a
file (``accepts_upload``), each up to its own limit. The limit is raised
before anything reads the body, CSRFProtect's check included: otherwise a
5 MB phone photo met a bare 413 before the view's own size check could
answer in words."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Flask, request

# Room for the multipart framing and the form's other fields.
FRAMING = 64 * 1024


def accepts_upload(max_file_bytes: int):
    """Put directly under the route decorator: the registered view carries the limit."""
    def decorate(view):
        view.upload_limit = max_file_bytes + FRAMING
        return view
    return decorate


def init_uploads(app: Flask) -> None:
    """Call before csrf.init_app, so this runs before its check reads the form."""
    @app.before_request
    def raise_upload_limit():
        limit = getattr(app.view_functions.get(request.endpoint), "upload_limit", None)
        if limit:
            request.max_content_length = limit


def write_once(path: Path, content: bytes) -> None:
    """Writes a file named by its content's hash, whole or not at all (a
    temporary file renamed into place); an existing file is the same content."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    with os.fdopen(handle, "wb") as f:
        f.write(content)
    os.replace(temporary, path)
