"""Settings from the environment, with safe development defaults.

Nothing here runs at import time: ``load_settings`` is called inside
``create_app`` so tests and workers can set the environment first.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _instance_dir(env) -> Path:
    path = Path(env.get("INSTANCE_PATH", BASE_DIR / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _development_secret(instance: Path) -> str:
    """A random key kept in instance/ so the web app and the worker share it
    and sessions survive a restart."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigurationError(RuntimeError):
    """The app refuses to start with settings that would be unsafe."""


def load_settings(env=None) -> dict:
    env = os.environ if env is None else env
    production = env.get("APP_ENV", "development") == "production"
    instance = _instance_dir(env)

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigurationError("SECRET_KEY must be set when APP_ENV=production")
        secret_key = _development_secret(instance)

    broker_folder = instance / "broker"
    redis_url = env.get("REDIS_URL")
    limiter_storage = env.get("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    if production and limiter_storage.startswith("memory://") and not _flag(env.get("RATELIMIT_SINGLE_PROCESS")):
        # memory:// would give each gunicorn worker its own count of login attempts.
        raise ConfigurationError("Set REDIS_URL (or RATELIMIT_STORAGE_URI) when APP_ENV=production: "
                                 "login throttling must be shared by every worker process "
                                 "(memory:// only with RATELIMIT_SINGLE_PROCESS=1 and one process)")
    return {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "INSTANCE_DIR": str(instance),
        # Listing photos, named by content hash: a front proxy or CDN may serve this folder at /media/.
        "MEDIA_ROOT": env.get("MEDIA_ROOT", str(instance / "media")),
        # Private uploads (certificate scans): served only through the app, to their owner and admins.
        "DOCUMENTS_ROOT": env.get("DOCUMENTS_ROOT", str(instance / "documents")),
        "PORT": int(env.get("PORT", "5000")),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", f"sqlite:///{instance / 'cungcau.sqlite'}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Cookies: Flask-Login's remember cookie is weaker than the session
        # cookie by default (not Secure, no SameSite, 365 days).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        # Sessions end this long after signing in: with "remember me" (days), without (hours);
        # an admin's also after this many minutes without a request (marketplace/auth/session.py).
        "SESSION_DAYS": float(env.get("SESSION_DAYS", "14")),
        "SESSION_HOURS": float(env.get("SESSION_HOURS", "12")),
        "ADMIN_IDLE_MINUTES": float(env.get("ADMIN_IDLE_MINUTES", "120")),
        # API tokens stop working this many days after they are issued.
        "API_TOKEN_DAYS": float(env.get("API_TOKEN_DAYS", "90")),
        "WTF_CSRF_ENABLED": _flag(env.get("WTF_CSRF_ENABLED"), True),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        "RATELIMIT_STORAGE_URI": limiter_storage,
        "RATELIMIT_ENABLED": _flag(env.get("RATELIMIT_ENABLED"), True),
        "LOGIN_RATE_LIMIT_PER_IP": env.get("LOGIN_RATE_LIMIT_PER_IP", "20 per minute"),
        # The password-change form, per account (a stolen session guessing the current password).
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": env.get("LOGIN_RATE_LIMIT_PER_ACCOUNT", "5 per minute"),
        # Sign-in (form and API share the count), per account and client address or device cookie:
        # from the 5th wrong password on, that client waits 30 s, then twice as long after each
        # further one, at most 15 minutes; failures are forgotten after an hour (marketplace/auth/throttle.py).
        "LOGIN_FAILURES_BEFORE_DELAY": int(env.get("LOGIN_FAILURES_BEFORE_DELAY", "5")),
        "LOGIN_DELAY_SECONDS": float(env.get("LOGIN_DELAY_SECONDS", "30")),
        "LOGIN_DELAY_MAX_SECONDS": float(env.get("LOGIN_DELAY_MAX_SECONDS", "900")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(env.get("LOGIN_FAILURE_WINDOW_SECONDS", "3600")),
        # Reverse proxies in front of gunicorn that set X-Forwarded-For/-Proto (0: none; the
        # client address is then the socket's, and forwarded headers are ignored).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # One address creating account after account is a spammer, not a cooperative.
        "REGISTRATION_RATE_LIMIT": env.get("REGISTRATION_RATE_LIMIT", "20 per hour"),
        # Writes per account (marketplace/core/rate.py): listings and orders created (a spreadsheet
        # import counts once), webhook endpoints added or removed (one budget).
        "LISTING_RATE_LIMIT": env.get("LISTING_RATE_LIMIT", "60 per hour"),
        "ORDER_RATE_LIMIT": env.get("ORDER_RATE_LIMIT", "60 per hour"),
        "WEBHOOK_RATE_LIMIT": env.get("WEBHOOK_RATE_LIMIT", "20 per hour"),
        # Live objects per account, whatever the pace (a spreadsheet import counts each row).
        "MAX_LIVE_LISTINGS": int(env.get("MAX_LIVE_LISTINGS", "1000")),
        "MAX_LIVE_ORDERS": int(env.get("MAX_LIVE_ORDERS", "5000")),
        # A "forgot password" link works this long (and once); links e-mailed per account and hour.
        "PASSWORD_RESET_HOURS": float(env.get("PASSWORD_RESET_HOURS", "1")),
        "PASSWORD_RESET_RATE_LIMIT": env.get("PASSWORD_RESET_RATE_LIMIT", "3 per hour"),
        # The link e-mailed at sign-up confirms the address for this many days.
        "EMAIL_CONFIRM_DAYS": float(env.get("EMAIL_CONFIRM_DAYS", "7")),
        # Unconfirmed accounts may not publish or accept matches (off in development,
        # where `make run` has no mailbox to confirm from).
        "REQUIRE_EMAIL_CONFIRMATION": _flag(env.get("REQUIRE_EMAIL_CONFIRMATION", "1" if production else "0")),
        # Messages in match threads, per user (the page and the API share the budget).
        "MESSAGE_RATE_LIMIT": env.get("MESSAGE_RATE_LIMIT", "20 per minute"),
        # Bodies beyond this are refused (413) before they are read.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # Empty: e-mails are written as .eml files to MAIL_FOLDER (development).
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_FOLDER": env.get("MAIL_FOLDER", str(instance / "mail")),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "CungCầu <no-reply@cungcau.local>"),
        # Edits within this many seconds of each other give one match run for their category.
        "MATCH_DEBOUNCE_SECONDS": float(env.get("MATCH_DEBOUNCE_SECONDS", "30")),
        "MATCH_FULL_RUN_MINUTES": int(env.get("MATCH_FULL_RUN_MINUTES", "15")),
        # A full run's tasks: 0 = one per category; N = N batches of categories of
        # about equal size, each one engine call (fewer, larger tasks).
        "MATCH_RUN_TASKS": int(env.get("MATCH_RUN_TASKS", "0")),
        # A proposal or an approved match nobody acts on releases its stock after this.
        "MATCH_PROPOSAL_TTL_HOURS": float(env.get("MATCH_PROPOSAL_TTL_HOURS", "72")),
        # A shipped match nobody marks received this long is flagged to the admins, never fulfilled silently.
        "RECEIPT_OVERDUE_DAYS": int(env.get("RECEIPT_OVERDUE_DAYS", "14")),
        # How long POST /api/v1/admin/match-runs?wait=1 waits before answering 202.
        "MATCH_RUN_WAIT_SECONDS": float(env.get("MATCH_RUN_WAIT_SECONDS", "120")),
        "OUTBOX_RELAY": env.get("OUTBOX_RELAY", "thread"),
        # Notifications (marketplace/notifications): links in e-mails and webhooks start with SITE_URL.
        "SITE_URL": env.get("SITE_URL", f"http://127.0.0.1:{env.get('PORT', '5000')}").rstrip("/"),
        "MAIL_TIMEOUT_SECONDS": float(env.get("MAIL_TIMEOUT_SECONDS", "10")),
        "NOTIFY_EMAIL_BATCH": int(env.get("NOTIFY_EMAIL_BATCH", "200")),
        # Parallel SMTP connections per sending task (threads waiting on the server's replies).
        "NOTIFY_SMTP_CONNECTIONS": int(env.get("NOTIFY_SMTP_CONNECTIONS", "4")),
        # E-mail sending tasks that may run at once (each on its own SMTP connection).
        "NOTIFY_EMAIL_FLUSHERS": int(env.get("NOTIFY_EMAIL_FLUSHERS", "2")),
        "NOTIFY_EMAIL_MAX_ATTEMPTS": int(env.get("NOTIFY_EMAIL_MAX_ATTEMPTS", "20")),
        # Retries wait base * 2**attempt seconds, at most the cap.
        "NOTIFY_RETRY_BASE_SECONDS": float(env.get("NOTIFY_RETRY_BASE_SECONDS", "5")),
        "NOTIFY_RETRY_MAX_SECONDS": float(env.get("NOTIFY_RETRY_MAX_SECONDS", "600")),
        # A delivery claimed by a worker that died is taken over after this.
        "NOTIFY_CLAIM_SECONDS": float(env.get("NOTIFY_CLAIM_SECONDS", "300")),
        # Proposals within this window give admins one "waiting for moderation" notice.
        "NOTIFY_MODERATION_DELAY_SECONDS": float(env.get("NOTIFY_MODERATION_DELAY_SECONDS", "60")),
        "NOTIFY_DIGEST_HOUR": int(env.get("NOTIFY_DIGEST_HOUR", "7")),   # Vietnam's time
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("WEBHOOK_TIMEOUT_SECONDS", "5")),
        "WEBHOOK_MAX_ATTEMPTS": int(env.get("WEBHOOK_MAX_ATTEMPTS", "8")),
        # POSTs in flight per sending task, and at most this many to any one endpoint.
        "WEBHOOK_CONCURRENCY": int(env.get("WEBHOOK_CONCURRENCY", "8")),
        "WEBHOOK_PER_ENDPOINT": int(env.get("WEBHOOK_PER_ENDPOINT", "2")),
        "WEBHOOK_DISABLE_AFTER": int(env.get("WEBHOOK_DISABLE_AFTER", "20")),
        # http:// and loopback receivers, for tests only: off unless set, in every environment
        # (on, a webhook could make the worker POST to this machine's own services).
        "WEBHOOK_ALLOW_HTTP_LOCALHOST": _flag(env.get("WEBHOOK_ALLOW_HTTP_LOCALHOST")),
        "CELERY": {
            "broker_url": env.get("CELERY_BROKER_URL", redis_url or "filesystem://"),
            "result_backend": env.get(
                "CELERY_RESULT_BACKEND",
                redis_url or f"db+sqlite:///{instance / 'celery-results.sqlite'}",
            ),
            # The filesystem transport is the embedded default: it needs no
            # server and, with a short poll, answers in well under a second.
            "broker_transport_options": {
                "data_folder_in": str(broker_folder / "queue"),
                "data_folder_out": str(broker_folder / "queue"),
                "processed_folder": str(broker_folder / "processed"),
                "control_folder": str(broker_folder / "control"),
                "store_processed": False,
                "polling_interval": 0.1,
            }
            if not (env.get("CELERY_BROKER_URL") or redis_url)
            # A task whose worker died unacknowledged is handed to another
            # worker after this many seconds; every task is idempotent, so a
            # slow one run twice does no harm.
            else {"visibility_timeout": int(env.get("CELERY_VISIBILITY_TIMEOUT", "600")),
                  # Look for such tasks every second, not every 100 s (kombu's default throttle).
                  "unacked_restore_throttle": 1,
                  # An unreachable broker fails a publish in seconds, not after redis-py's retries.
                  "socket_connect_timeout": 3},
        },
    }
