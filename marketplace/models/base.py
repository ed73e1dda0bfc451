from datetime import datetime, timezone

from sqlalchemy import Enum


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def enum_column(enum_cls, name: str) -> Enum:
    """Stored as the value ("producer") in a VARCHAR with a CHECK constraint:
    portable, and adding a value later needs no ALTER TYPE."""
    return Enum(enum_cls, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, create_constraint=True, length=20)
