"""The admin area works on the same small world as the match tests: a
producer, a distributor, an admin, rice on offer and an order it fits."""
from tests.unit.matches.conftest import admin, distributor, producer, rice, run_now  # noqa: F401
