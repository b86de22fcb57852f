"""Rate limits on actions: 429 in Russian, GETs free, a bucket per user, Redis storage."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from app import create_app
from app.communities.models import ConsentDocument, ConsentKind
from app.config import TestConfig
from app.extensions import db, limiter
from tests.factories import PASSWORD, make_user
from tests.helpers import HX, text

MESSAGE = "Слишком много запросов. Подождите немного и повторите."
LIMIT = 3  # every limit below: 3 POSTs a minute, the 4th is refused
SMALL = f"{LIMIT} per minute"
BAD_LOGIN = {"email": "nobody@school.ru", "password": "wrong-password-1"}


@pytest.fixture(autouse=True)
def small_limits(app, monkeypatch):
    for name in ("RATELIMIT_LOGIN", "RATELIMIT_REGISTER", "RATELIMIT_PASSWORD", "RATELIMIT_JOIN"):
        monkeypatch.setitem(app.config, name, SMALL)


def post_until_refused(client, url, data, headers=None):
    """POST `LIMIT` times (each allowed), then once more; returns the last response."""
    for _ in range(LIMIT):
        response = client.post(url, data=data, headers=headers)
        assert response.status_code in (200, 422)
    return client.post(url, data=data, headers=headers)


def assert_refused(response):
    assert response.status_code == 429
    assert MESSAGE in text(response)
    assert 0 < int(response.headers["Retry-After"]) <= 60


# --- login -----------------------------------------------------------------------------


def test_login_is_limited(client):
    response = post_until_refused(client, "/auth/login", BAD_LOGIN)
    assert_refused(response)
    page = text(response)
    assert "<html" in page  # a plain request gets the full error page
    assert "Слишком много запросов" in page
    assert "Traceback" not in page


def test_login_limit_refuses_even_the_right_password(client):
    user = make_user()
    post_until_refused(client, "/auth/login", BAD_LOGIN)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Выйти" not in text(client.get("/"))  # not logged in


def test_allowed_posts_carry_the_limit_headers(client):
    response = client.post("/auth/login", data=BAD_LOGIN)
    assert response.status_code == 422
    assert response.headers["X-RateLimit-Limit"] == str(LIMIT)
    assert response.headers["X-RateLimit-Remaining"] == str(LIMIT - 1)


def test_login_page_get_is_not_limited(client):
    for _ in range(LIMIT * 5):
        response = client.get("/auth/login")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    # nor did the GETs use up the POST budget
    assert_refused(post_until_refused(client, "/auth/login", BAD_LOGIN))
    assert client.get("/auth/login").status_code == 200  # still open after the POSTs are refused


def test_pages_are_not_limited(client):
    for _ in range(LIMIT * 5):
        response = client.get("/")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


def test_refusal_for_htmx_is_a_fragment(client):
    response = post_until_refused(client, "/auth/login", BAD_LOGIN, headers=HX)
    assert_refused(response)
    assert "<html" not in text(response)
    assert 'data-status="429"' in text(response)


# --- registration, password change, joining ----------------------------------------------


def test_registration_is_limited(client):
    data = {"email": "not-an-address", "password": "x", "password2": "y"}
    assert_refused(post_until_refused(client, "/auth/register", data))
    assert client.get("/auth/register").status_code == 200


def test_password_change_is_limited(app, people):
    client = app.test_client(user=people["member"])
    data = {"current": "wrong-password-1", "password": "new-password-77",
            "password2": "new-password-77"}
    assert_refused(post_until_refused(client, "/profile/password", data))
    assert client.get("/profile/password").status_code == 200


def test_join_is_limited(app, community):
    client = app.test_client(user=make_user())
    charter = db.session.scalar(ConsentDocument.latest(ConsentKind.CHARTER, community.id))
    pd = db.session.scalar(ConsentDocument.latest(ConsentKind.PERSONAL_DATA))
    # without the consents ticked: each allowed POST is refused with 422
    data = {"charter_version": str(charter.version), "pd_version": str(pd.version)}
    url = f"/c/{community.slug}/join"
    assert_refused(post_until_refused(client, url, data))
    assert client.get(url).status_code == 200


def test_users_behind_one_address_do_not_share_a_bucket(app, people):
    """Colleagues behind one school NAT: the same address, but counted per user."""
    data = {"current": "wrong-password-1", "password": "new-password-77",
            "password2": "new-password-77"}
    first = app.test_client(user=people["member"])
    second = app.test_client(user=people["expert"])
    assert_refused(post_until_refused(first, "/profile/password", data))
    response = second.post("/profile/password", data=data)
    assert response.status_code == 422
    assert response.headers["X-RateLimit-Remaining"] == str(LIMIT - 1)
    # nor is it the anonymous count of their address
    assert app.test_client().post("/auth/login", data=BAD_LOGIN).status_code == 422


def test_limits_and_storage_come_from_the_config():
    from app.config import Config

    assert Config.RATELIMIT_ENABLED is True
    assert Config.RATELIMIT_HEADERS_ENABLED is True
    assert TestConfig.RATELIMIT_STORAGE_URI == "memory://"
    for name in ("LOGIN", "REGISTER", "PASSWORD", "JOIN", "POSTING", "REPORTS", "UPLOADS"):
        assert getattr(Config, f"RATELIMIT_{name}")


# --- other apps: shared limits, Redis, a Redis outage ------------------------------------


@pytest.fixture
def make_app(app, tmp_path: Path):
    """Build another app; the limiter is one object, so give it back to the session app."""

    def make(**settings):
        class Config(TestConfig):
            INSTANCE_DIR = tmp_path
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/other.db"
            UPLOAD_FOLDER = str(tmp_path / "uploads")
            MAIL_OUTBOX = str(tmp_path / "outbox")
            RATELIMIT_LOGIN = SMALL

        for name, value in settings.items():
            setattr(Config, name, value)
        other = create_app(Config)
        with other.app_context():
            db.create_all()
        return other

    yield make
    limiter.init_app(app)
    limiter._storage_dead = False  # a Redis outage test leaves the fallback switched on
    limiter.reset()


def test_shared_limits_count_all_their_views_together(make_app):
    from app.ratelimit import limit_posting

    other = make_app(RATELIMIT_POSTING="2 per minute")

    @other.route("/_test/post-a", methods=["GET", "POST"])
    @limit_posting
    def post_a():
        return "ok"

    @other.route("/_test/post-b", methods=["GET", "POST"])
    @limit_posting
    def post_b():
        return "ok"

    client = other.test_client()
    assert client.post("/_test/post-a").status_code == 200
    assert client.post("/_test/post-b").status_code == 200
    assert client.get("/_test/post-a").status_code == 200  # GETs are not counted
    assert_refused(client.post("/_test/post-a"))
    assert_refused(client.post("/_test/post-b"))


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server answers at 127.0.0.1:6379; "
                    "the default memory:// storage needs none")
def test_redis_storage(make_app):
    import redis
    from limits.storage import RedisStorage

    other = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    assert isinstance(limiter.storage, RedisStorage)
    limiter.reset()
    try:
        client = other.test_client()
        assert_refused(post_until_refused(client, "/auth/login", BAD_LOGIN))
        # counted in Redis, not in the in-memory fallback
        keys = redis.Redis(host="127.0.0.1", port=6379, db=15).keys("LIMITS*")
        assert any(b"auth.login" in key for key in keys)
    finally:
        limiter.reset()


def test_redis_outage_falls_back_to_memory(make_app):
    """Nothing listens on port 1: limited POSTs still work, counted in memory."""
    other = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/15")
    client = other.test_client()
    assert_refused(post_until_refused(client, "/auth/login", BAD_LOGIN))
