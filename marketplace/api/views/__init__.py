"""API views: parse with a schema, call a use case, render with a schema."""
