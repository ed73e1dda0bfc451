"""Imports run one way, read from the code itself: the layers below never
import the ones above, the app never imports bench/ or tests/, the engine has
no import cycle, and the top of marketplace/ keeps only the factory, the CLI
and the demo data."""
from __future__ import annotations

import pytest

from tests.support.imports import ROOT, cycles, import_graph

# Lowest first. A module may import its own package and any package of a
# lower layer; packages that share a layer never import each other.
LAYERS = [
    {"matching", "reference"},   # the engine and the reference lists: pure
    {"geo"},
    {"core"},                    # extensions, database, clock, events, outbox, errors...
    {"models"},
    {"web"},                     # labels, formats, phrases, forms, templating
    {"trade"},                   # what listings and orders share
    {"auth", "health"},
    {"notifications"},
    {"trace"},                   # lots, GS1 links, EPCIS events, the public trace page
    {"matches"},                 # the Match aggregate: runs, lifecycle, pages
    {"listings", "orders"},
    {"admin", "pages"},
    {"api"},
    {"demo"},                    # the demo data, through the services
    {"cli"},
    {"app"},                     # the factory
]
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
GRAPH = import_graph("marketplace", "workers", "bench", "tests")


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "marketplace" and len(parts) > 1 else None


def test_every_package_of_marketplace_has_a_layer():
    packages = {package_of(m) for m in GRAPH if m.startswith("marketplace.")} - {None}
    assert packages <= set(RANK), packages - set(RANK)


def test_imports_run_downwards_only():
    upward = []
    for module, targets in GRAPH.items():
        here = package_of(module)
        if here is None:
            continue
        for target in targets:
            there = package_of(target)
            if there is None or there == here:
                continue
            if RANK[there] >= RANK[here]:
                upward.append(f"{module} imports {target}")
    assert not upward, "\n".join(sorted(upward))


@pytest.mark.parametrize("top", ["marketplace", "workers"])
def test_the_app_and_the_workers_never_import_bench_or_tests(top):
    backwards = [f"{m} imports {t}" for m, targets in GRAPH.items() if m.split(".")[0] == top
                 for t in targets if t.split(".")[0] in ("bench", "tests")]
    assert not backwards, backwards


def test_the_engine_has_no_import_cycle():
    assert cycles(GRAPH, "marketplace.matching") == []


def test_no_import_cycle_between_the_modules_of_any_package():
    assert cycles(GRAPH, "marketplace") == []


def test_the_api_imports_no_page_view():
    views = [f"{m} imports {t}" for m, targets in GRAPH.items() if package_of(m) == "api"
             for t in targets if package_of(t) not in (None, "api") and t.rsplit(".", 1)[-1].endswith("views")]
    assert not views, views


def test_models_import_no_area():
    areas = {p for p, rank in RANK.items() if rank > RANK["trade"]}
    found = [f"{m} imports {t}" for m, targets in GRAPH.items() if package_of(m) == "models"
             for t in targets if package_of(t) in areas]
    assert not found, found


def test_the_top_of_marketplace_keeps_the_factory_the_cli_and_the_demo_data():
    loose = sorted(p.name for p in (ROOT / "marketplace").glob("*.py"))
    assert loose == ["__init__.py", "app.py", "cli.py", "demo.py"]
