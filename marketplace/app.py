"""The application factory: a list of ``register_*`` calls."""
from __future__ import annotations

from flask import Flask

from config import load_settings


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="static")
    app.config.update(load_settings())
    if overrides:
        app.config.update(overrides)

    register_extensions(app)
    register_blueprints(app)
    register_notifications(app)
    register_errors(app)
    register_cli(app)
    register_celery(app)
    return app


def register_extensions(app: Flask) -> None:
    from marketplace import models  # noqa: F401  (registers the tables)
    from marketplace.auth.session import init_login
    from marketplace.core.database import init_database
    from marketplace.core.extensions import csrf, db, limiter, migrate
    from marketplace.core.input import init_input_checks
    from marketplace.core.outbox import init_outbox
    from marketplace.core.uploads import init_uploads
    from marketplace.web.i18n import init_i18n
    from marketplace.web.routing import init_routing
    from marketplace.web.security import init_proxy_fix, init_security_headers
    from marketplace.web.templating import init_templating

    init_routing(app)
    init_database(app)
    migrate.init_app(app, db, render_as_batch=True)
    init_uploads(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_i18n(app)
    init_templating(app)
    init_security_headers(app)
    init_proxy_fix(app)
    init_input_checks(app)
    init_outbox(app)


def register_blueprints(app: Flask) -> None:
    from marketplace.admin import bp as admin_bp
    from marketplace.api import init_api
    from marketplace.auth import bp as auth_bp
    from marketplace.listings import bp as listings_bp
    from marketplace.matches import bp as matches_bp
    from marketplace.orders import bp as orders_bp
    from marketplace.pages import bp as pages_bp
    from marketplace.trace import bp as trace_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(listings_bp)
    app.register_blueprint(trace_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(matches_bp)
    app.register_blueprint(admin_bp)
    init_api(app)


def register_errors(app: Flask) -> None:
    from marketplace.core.errors import init_errors

    init_errors(app)


def register_cli(app: Flask) -> None:
    from marketplace.cli import init_cli

    init_cli(app)


def register_celery(app: Flask) -> None:
    from marketplace.core.worker import celery_init_app

    celery_init_app(app)


def register_notifications(app: Flask) -> None:
    from marketplace.notifications import init_notifications

    init_notifications(app)
