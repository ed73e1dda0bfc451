"""gunicorn settings (`make run` passes this file; gunicorn also reads it from the working directory).

gunicorn answers a request line or header beyond its limits with an HTML page
of its own, before the app sees the request. 8190 bytes (its maximum for a
request line) lets long query strings, e.g. a 4 KB filter link, reach the app,
which answers in the project's error shape; a longer line is still refused by
gunicorn, which is where an oversized request belongs.
"""
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100
