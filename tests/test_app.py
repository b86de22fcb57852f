"""Cross-cutting behaviour: Russian formatting, htmx rendering, headers, error pages,
access to each community page by role, configuration."""

from __future__ import annotations

from datetime import datetime

import pytest

from app import create_app
from app.config import Config, load_secret_key, normalize_database_url
from app.i18n import date_filter, datetime_filter, plural
from app.sanitize import paragraphs
from tests.factories import make_community, make_membership, make_user
from tests.helpers import HX, count_queries, text


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 участник"), (3, "3 участника"), (5, "5 участников"), (11, "11 участников"),
     (21, "21 участник"), (22, "22 участника"), (0, "0 участников"), (112, "112 участников")],
)
def test_russian_plural_forms(app, n, expected):
    with app.test_request_context("/"):
        assert plural(n, "участник", "участника", "участников") == expected


def test_dates_read_in_russian(app):
    with app.test_request_context("/"):
        assert date_filter(datetime(2026, 11, 22, 12, 0)) == "22 ноября 2026\u00a0г."
        # Stored in UTC, shown in Moscow time.
        assert datetime_filter(datetime(2026, 11, 22, 21, 30)) == "23 ноября 2026\u00a0г., 00:30"


def test_community_pages_use_the_community_time_zone(app, client):
    community = make_community(timezone="Asia/Vladivostok")
    from app.i18n import select_timezone

    with app.test_request_context(f"/c/{community.slug}/"):
        app.preprocess_request()
        assert select_timezone() == "Asia/Vladivostok"
        assert datetime_filter(datetime(2026, 11, 22, 12, 0)) == "22 ноября 2026\u00a0г., 22:00"


def test_paragraphs_escape_markup():
    html = str(paragraphs("Пункт <script>alert(1)</script>\n\nВторой"))
    assert "<script>" not in html
    assert html.count("<p>") == 2


def test_security_headers_on_every_page(client, community):
    for path in ("/", f"/c/{community.slug}/", "/auth/login", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "HX-Request" in response.headers["Vary"]


def test_pages_have_no_inline_script_or_handlers(client, community):
    import re

    page = text(client.get(f"/c/{community.slug}/"))
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert 'hx-on' not in page
    assert '"allowEval":false' in page
    assert "<html lang=\"ru\">" in page
    assert 'class="skip-link" href="#main"' in page


def test_session_cookie_flags(client):
    make_user(email="t@school.ru")
    from tests.factories import PASSWORD

    response = client.post("/auth/login", data={"email": "t@school.ru", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from app.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_not_found_is_russian(client):
    response = client.get("/c/nope/")
    assert response.status_code == 404
    assert "Страница не найдена" in text(response)


def test_htmx_request_gets_fragment_boosted_gets_page(app, people, community):
    client = app.test_client(user=people["member"])
    fragment = client.get(f"/c/{community.slug}/members", headers=HX)
    assert "<html" not in text(fragment)
    assert 'id="membership-' in text(fragment)
    boosted = client.get(f"/c/{community.slug}/members", headers={**HX, "HX-Boosted": "true"})
    assert "<html" in text(boosted)
    restore = client.get(
        f"/c/{community.slug}/members", headers={**HX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in text(restore)


def test_members_page_query_count_does_not_grow(app, people, community):
    client = app.test_client(user=people["member"])
    with count_queries() as few:
        client.get(f"/c/{community.slug}/members")
    for _ in range(20):
        make_membership(make_user(), community)
    with count_queries() as many:
        response = client.get(f"/c/{community.slug}/members")
    assert "25 участников" in text(response)
    assert many.count == few.count


def test_secret_key_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert len(first) >= 32
    assert load_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_spellings():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_pragmas(app):
    from app.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


# --- who may open which community page ---------------------------------------------------

ROLES = ["anonymous", "outsider", "member", "other_coordinator", "coordinator", "chair",
         "admin"]
# (path under /c/<slug>, roles that get 200); anonymous users are sent to log in.
PAGES = [
    ("/", set(ROLES)),
    ("/charter", set(ROLES)),
    ("/members", {"member", "coordinator", "chair", "admin"}),
    ("/forum/", {"member", "coordinator", "chair", "admin"}),
    ("/materials/", {"member", "coordinator", "chair", "admin"}),
    ("/events/", {"member", "coordinator", "chair", "admin"}),
    ("/admissions", {"coordinator", "admin"}),
    ("/moderation/", {"coordinator", "admin"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), PAGES)
def test_community_page_access(client_as, community, role, path, allowed):
    response = client_as(role).get(f"/c/{community.slug}{path}")
    if role in allowed:
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
    else:
        assert response.status_code == 403
        assert "Доступ запрещён" in text(response)


def test_forbidden_htmx_request_gets_a_fragment(client_as, community):
    response = client_as("outsider").get(f"/c/{community.slug}/members", headers=HX)
    assert response.status_code == 403
    assert "<html" not in text(response)


def test_community_nav_hides_what_the_user_may_not_open(client_as, community):
    outsider_page = text(client_as("outsider").get(f"/c/{community.slug}/"))
    assert "Форум" not in outsider_page and "Заявки" not in outsider_page
    member_page = text(client_as("member").get(f"/c/{community.slug}/"))
    assert "Форум" in member_page and "Заявки" not in member_page
    coordinator_page = text(client_as("coordinator").get(f"/c/{community.slug}/"))
    assert "Заявки" in coordinator_page and "Модерация" in coordinator_page


def test_create_app_without_config_uses_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setattr(Config, "INSTANCE_DIR", tmp_path)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "ru"


def test_proxy_fix_takes_the_client_address_from_the_proxy(tmp_path):
    from flask import request

    class Behind(Config):
        INSTANCE_DIR = tmp_path
        SECRET_KEY = "x"
        PROXY_COUNT = 1

    app = create_app(Behind)
    client_addr = {}

    @app.get("/_addr")
    def addr():
        client_addr["ip"] = request.remote_addr
        return "ok"

    app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.7"})
    assert client_addr["ip"] == "203.0.113.7"
