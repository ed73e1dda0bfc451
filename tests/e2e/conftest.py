"""End-to-end: the real app served over HTTP, driven by Debian's Chromium
through Playwright (Playwright's own browser download is not used)."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from marketplace.app import create_app
from marketplace.core.extensions import db

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(instance_dir):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_dir / 'e2e.sqlite'}"})
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


# What the browser refused under the Content-Security-Policy, in every context a test opens.
CSP_VIOLATIONS: list[str] = []


def _watched(new_context):
    def new_watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("console", lambda message: CSP_VIOLATIONS.append(message.text)
                   if "Content Security Policy" in message.text else None)
        return context
    return new_watched_context


@pytest.fixture(autouse=True)
def no_csp_violations():
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, CSP_VIOLATIONS


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's `chromium` is not installed: run `make test-services` as root "
                    "or `sudo apt-get install -y chromium`.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        browser.new_context = _watched(browser.new_context)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, tmp_path):
    """A small, slow-ish phone screen: what many producers use."""
    context = chromium.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                   is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()
