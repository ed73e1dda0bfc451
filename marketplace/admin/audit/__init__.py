"""The audit log as admins read it (rows are only written by
``core.events.emit_event``)."""
