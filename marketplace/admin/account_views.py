"""Admin pages for accounts (search, verify a producer, suspend, reinstate) and takedowns."""
from marketplace.admin import bp  # noqa: F401
