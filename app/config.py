"""Configuration read from the environment.

Every setting has a safe default so that `make run` works on a fresh machine with no
services: SQLite in `instance/`, mail written to `instance/outbox/`, uploads in
`instance/uploads/`. Production sets DATABASE_URL, SECRET_KEY and the mail settings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # Create with owner-only permissions; a concurrent start keeps whichever was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def normalize_database_url(url: str) -> str:
    """Accept the common `postgres://` / `postgresql://` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'soobshchestvo.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "50"))
    # Checked by extension and by content (app/uploads.py); a subset of what it can recognise.
    UPLOAD_ALLOWED_EXTENSIONS = frozenset({
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "txt",
        "jpg", "jpeg", "png", "gif", "webp", "zip",
    })
    # A whole request may carry several files; a larger body gets the Russian 413 page.
    MAX_CONTENT_LENGTH = (10 * MAX_UPLOAD_MB + 1) * 1024 * 1024

    SITE_NAME = os.environ.get("SITE_NAME", "Сообщество")
    # The address of the site in letters (links, unsubscribe), e.g. https://soobshchestvo.edu.ru.
    # Unset: the address of the request that queued the letter, or http://localhost:5000 for
    # the cron jobs.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")

    # Mail (app/notifications/mail.py). No MAIL_SERVER: letters go to MAIL_OUTBOX as .eml
    # files, which administrators read on the site. MAIL_USE_TLS: STARTTLS on MAIL_PORT;
    # MAIL_USE_SSL: TLS from the start (port 465).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Сообщество <noreply@localhost>")
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE_DIR / "outbox"))
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))
    # Letters queued by a request go out right after it (at most this many); the rest, and
    # any that failed, go with `flask send-mail` (cron, every few minutes).
    MAIL_SEND_IN_REQUEST = _env_bool("MAIL_SEND_IN_REQUEST", True)
    MAIL_SEND_IN_REQUEST_LIMIT = int(os.environ.get("MAIL_SEND_IN_REQUEST_LIMIT", "50"))
    # How long the unsubscribe link in a letter works.
    UNSUBSCRIBE_LINK_DAYS = int(os.environ.get("UNSUBSCRIBE_LINK_DAYS", "90"))

    # The operator of personal data named on /privacy (152-ФЗ), and how to reach them.
    PRIVACY_OPERATOR = os.environ.get("PRIVACY_OPERATOR", "")
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "")

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Europe/Moscow")

    # The token lives as long as the session, so a long post survives (STYLE.md).
    WTF_CSRF_TIME_LIMIT = None
    # WTForms' own catalogue is re-read on every form build when enabled; all messages are
    # given explicitly in Russian by the project instead (see app/validators.py).
    WTF_I18N_ENABLED = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    # Rate limits (Flask-Limiter): only the actions in app/ratelimit.py, never pages. Counted
    # per user when logged in, else per address. Production with several workers sets
    # RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 so that they share one count.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis goes away, count in memory rather than answer every limited POST with a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A workshop logs in and registers from one school address at once: keep these generous.
    # Each may be set in the environment under its name ("5 per minute; 50 per hour").
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "20 per minute; 100 per hour")
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "10 per minute; 50 per hour")
    RATELIMIT_PASSWORD = os.environ.get("RATELIMIT_PASSWORD", "5 per minute; 20 per hour")
    RATELIMIT_JOIN = os.environ.get("RATELIMIT_JOIN", "10 per minute; 30 per hour")
    RATELIMIT_POSTING = os.environ.get("RATELIMIT_POSTING", "30 per minute; 300 per hour")
    RATELIMIT_CERTIFICATE_CHECKS = os.environ.get(
        "RATELIMIT_CERTIFICATE_CHECKS", "30 per minute; 300 per hour"
    )
    RATELIMIT_REPORTS = os.environ.get("RATELIMIT_REPORTS", "20 per hour")
    RATELIMIT_UPLOADS = os.environ.get("RATELIMIT_UPLOADS", "30 per hour")

    # How many reverse proxies stand in front of the app (0: none). With nginx set it to 1, so
    # that the client's address (rate limits) comes from X-Forwarded-For.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    PAGE_SIZE = 30
    # Search (app/search.py): a query matching more documents than this ranks only the newest
    # this-many, and the page says so; it bounds the work of a common word.
    SEARCH_RANK_WINDOW = int(os.environ.get("SEARCH_RANK_WINDOW", "500"))
    # Werkzeug's scrypt: a memory-hard KDF. Tests use a cheap method to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test-secret-key"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Limits stay on in tests, in memory; tests/conftest.py empties the buckets before each test.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    # tests/conftest.py sets SQLALCHEMY_DATABASE_URI (TEST_DATABASE_URL or a temp SQLite file)
