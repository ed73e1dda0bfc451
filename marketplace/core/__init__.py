"""The core layer: what every area stands on and nothing of any area.

Extensions and the database binding, Vietnam's clock, ``emit_event`` (the
audit row and its subscribers), the transactional outbox, the one pagination
helper, the exceptions a use case raises (``validation``) and how each
becomes an HTTP answer (``errors``), and the concurrency helpers. Nothing
here imports ``web``, ``trade`` or an area package.
"""
