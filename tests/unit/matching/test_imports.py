"""The engine stays a pure library: numpy, scipy and OR-Tools, nothing of the web app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import marketplace.matching

PACKAGE = Path(marketplace.matching.__file__).parent
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "celery", "kombu", "redis", "werkzeug", "jinja2", "marketplace")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, node.module or "", node.level


def test_the_package_imports_nothing_from_the_web_app():
    offenders = []
    files = sorted(PACKAGE.rglob("*.py"))
    assert files
    for path in files:
        for line, module, level in imported_modules(path):
            top = module.split(".")[0].lower()
            if level == 0 and (top in FORBIDDEN or top.startswith("flask_")):
                offenders.append(f"{path.name}:{line} imports {module}")
            if level > 1:  # "from .." reaches out of the package
                offenders.append(f"{path.name}:{line} imports {'.' * level}{module}")
    assert not offenders, offenders


def test_importing_the_engine_loads_no_web_framework():
    code = (
        "import sys, marketplace.matching; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'celery')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent.parent)
    assert done.returncode == 0, done.stdout + done.stderr
