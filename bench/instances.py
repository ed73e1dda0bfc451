"""The benchmarks' seeded marketplaces. The generator lives with the engine
(``marketplace.matching.instances``) and the database writer with the match
runs (``marketplace.matches.synthetic``), so ``flask bench-match`` uses them
without importing bench/; this module keeps the benchmarks' one name for both."""
from marketplace.matches.synthetic import store
from marketplace.matching.instances import BIG_CATEGORIES, CERTIFICATIONS, PROVINCES, categories, generate

__all__ = ["BIG_CATEGORIES", "CERTIFICATIONS", "PROVINCES", "categories", "generate", "store"]
