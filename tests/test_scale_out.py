"""Scale-out: the app keeps no state in its processes (issue 10).

Two gunicorn instances of `wsgi:app` (A and B, two workers each) on two ports share one
PostgreSQL database, one Redis (rate limits), one SECRET_KEY and one instance folder (uploads,
mail outbox), as several app servers behind a reverse proxy would. One person's browser (one
cookie jar, a real HTTP client) goes to them in turn, and nothing differs: the session, CSRF
tokens, rate limits, notifications, chat and uploaded files.

PostgreSQL and Redis are needed: the test runs in the PostgreSQL phase of `.ci/run`
(TEST_DATABASE_URL) when Redis answers at 127.0.0.1:6379, and is skipped otherwise. It creates
its own database (`scaleout_…`) and drops it afterwards, and uses Redis database 14, where it
deletes only the keys of its own (random) addresses and users.

Every browser sends X-Forwarded-For with an address of its own, as nginx would (the servers run
with PROXY_COUNT=1): the rate-limit buckets of a run are its own, whatever else uses Redis.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_DB = 14
PASSWORD = "correct-horse-42"  # tests/factories.py
LOGIN_LIMIT = "3 per minute"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(
        not TEST_DATABASE_URL.startswith("postgres"),
        reason="scale-out runs two gunicorn servers on one PostgreSQL database: set "
        "TEST_DATABASE_URL=postgresql://… (the PostgreSQL phase of .ci/run does)",
    ),
    pytest.mark.skipif(
        TEST_DATABASE_URL.startswith("postgres") and not _redis_answers(),
        reason="scale-out needs Redis at 127.0.0.1:6379 (the shared rate-limit store); "
        "none answers",
    ),
]


# --- a browser ----------------------------------------------------------------------------


class _KeepErrors(urllib.request.HTTPErrorProcessor):
    """Hand every response back as it is: no exception for 4xx/5xx, no redirects followed."""

    def http_response(self, request, response):
        return response

    https_response = http_response


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path

    def csrf_token(self) -> str:
        """The CSRF token the page carries: a form's hidden field, else the htmx header."""
        for tag in re.findall(r"<input\b[^>]*>", self.text):
            if 'name="csrf_token"' in tag and (value := re.search(r'value="([^"]+)"', tag)):
                return unescape(value.group(1))
        header = re.search(r'"X-CSRFToken": "([^"]+)"', self.text)
        assert header, f"no CSRF token on the page ({self.status})"
        return header.group(1)


@dataclass
class Browser:
    """One person's browser: one cookie jar for both servers, an address of its own."""

    address: str = field(
        default_factory=lambda: f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    )
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _KeepErrors
        )

    def open(self, server: str, path: str, data: bytes | None = None,
             content_type: str | None = None, headers: dict | None = None) -> Page:
        request = urllib.request.Request(server + path, data=data)
        request.add_header("X-Forwarded-For", self.address)
        if content_type:
            request.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        with self._opener.open(request, timeout=15) as response:
            return Page(response.status, {k.lower(): v for k, v in response.headers.items()},
                        response.read())

    def get(self, server: str, path: str, **kw) -> Page:
        return self.open(server, path, **kw)

    def post(self, server: str, path: str, fields: dict[str, str],
             files: dict[str, tuple[str, bytes]] | None = None) -> Page:
        if not files:
            return self.open(server, path, urllib.parse.urlencode(fields).encode(),
                             "application/x-www-form-urlencoded")
        boundary = secrets.token_hex(16)
        chunks = []
        for name, value in fields.items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                          f"\r\n\r\n{value}\r\n".encode())
        for name, (filename, content) in files.items():
            chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                          f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                          "\r\n\r\n".encode() + content + b"\r\n")
        chunks.append(f"--{boundary}--\r\n".encode())
        return self.open(server, path, b"".join(chunks),
                         f"multipart/form-data; boundary={boundary}")

    def log_in(self, server: str, email: str, password: str = PASSWORD) -> Page:
        token = self.get(server, "/auth/login").csrf_token()
        return self.post(server, "/auth/login",
                         {"csrf_token": token, "email": email, "password": password})

    def logged_in(self, server: str) -> bool:
        """A page for members only: 200 when logged in, a redirect to the login page if not."""
        page = self.get(server, "/notifications/")
        assert page.status in (200, 302), page.status
        if page.status == 302:
            assert page.location == "/auth/login", page.headers
        return page.status == 200


# --- the cluster: a database, two servers -------------------------------------------------

SEED = """
import json, sys
from wsgi import app
from app.communities.models import Role
from app.extensions import db
from app.forum import services as forum
from tests import factories

base = int(sys.argv[1])
app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # quick to make and to check
with app.app_context():
    db.create_all()
    admin = factories.make_admin(id=base, email=f"admin{base}@scaleout.example.ru",
                                 full_name="Админова Алла")
    teacher = factories.make_user(id=base + 1, email=f"teacher{base}@scaleout.example.ru",
                                  full_name="Учителева Ольга")
    colleague = factories.make_user(id=base + 2, email=f"colleague{base}@scaleout.example.ru",
                                    full_name="Коллегова Вера")
    community = factories.make_community(admin=admin, slug=f"scaleout-{base}")
    factories.make_membership(teacher, community)
    factories.make_membership(colleague, community, Role.COORDINATOR)
    with app.test_request_context("/"):
        section = forum.create_section(community, colleague, title="Общие вопросы",
                                       description="", is_announcements=False)
        db.session.commit()
    print(json.dumps({
        "slug": community.slug, "section": section.id,
        "teacher": [teacher.id, teacher.email, teacher.full_name],
        "colleague": [colleague.id, colleague.email, colleague.full_name],
    }))
"""


@dataclass
class Cluster:
    a: str
    b: str
    slug: str
    section: int
    teacher: tuple[int, str, str]  # id, email, full name
    colleague: tuple[int, str, str]
    browsers: list[Browser] = field(default_factory=list)

    def browser(self) -> Browser:
        browser = Browser()
        self.browsers.append(browser)
        return browser


def _gunicorn_has_control_socket() -> bool:
    import gunicorn

    return gunicorn.version_info >= (27,)


# gunicorn 27's control socket is one path per user: two instances would share it, and the
# master waits seconds for it at shutdown.
_NO_CONTROL_SOCKET = ["--no-control-socket"] if _gunicorn_has_control_socket() else []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path="/" + name).geturl()


def _admin_sql(sql: str) -> None:
    import psycopg

    url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"


def _wait_until_up(server: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn at {server} exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(server + "/auth/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn at {server} did not answer within 30 s:\n{_tail(log)}")


def _stop(processes: list[subprocess.Popen]) -> None:
    """Each gunicorn master and its workers, a process group of their own (start_new_session):
    SIGINT (gunicorn's quick shutdown) to all, then wait; SIGKILL for any still there."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=8)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _forget_rate_limits(browsers: list[Browser], base: int) -> None:
    """Only this run's keys: its browsers' addresses and its users."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    markers = [f"user:{base + n}/" for n in range(3)]
    markers += [f"ip:{browser.address}/" for browser in browsers]
    try:
        for marker in markers:
            keys = list(client.scan_iter(match=f"*{marker}*"))
            if keys:
                client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="module")
def cluster():
    name = f"scaleout_{secrets.token_hex(4)}"
    base = 1_000_000_000 + secrets.randbelow(1_000_000_000)  # user ids of this run
    tmp = Path(tempfile.mkdtemp(prefix="soobshchestvo-scaleout-"))
    env = {
        **os.environ,
        "DATABASE_URL": _with_database(TEST_DATABASE_URL, name),
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "RATELIMIT_LOGIN": LOGIN_LIMIT,
        "INSTANCE_PATH": str(tmp / "instance"),
        "UPLOAD_FOLDER": str(tmp / "uploads"),
        "MAIL_OUTBOX": str(tmp / "outbox"),
        "PROXY_COUNT": "1",
        "SESSION_COOKIE_SECURE": "0",
    }
    with ExitStack() as cleanup:  # each step undone, in reverse, even if another fails
        cleanup.callback(shutil.rmtree, tmp, ignore_errors=True)
        _admin_sql(f"CREATE DATABASE {name}")
        cleanup.callback(_admin_sql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        browsers: list[Browser] = []
        cleanup.callback(_forget_rate_limits, browsers, base)
        processes: list[subprocess.Popen] = []
        cleanup.callback(_stop, processes)

        servers, logs = [], []
        for label in "ab":
            port = _free_port()
            log = tmp / f"gunicorn-{label}.log"
            with log.open("w") as out:
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                     "--workers", "2", "--preload", *_NO_CONTROL_SOCKET, "wsgi:app"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                ))
            servers.append(f"http://127.0.0.1:{port}")
            logs.append(log)
        # The schema and the people while the servers start.
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, str(base)], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        for server, process, log in zip(servers, processes, logs, strict=True):
            _wait_until_up(server, process, log)
        yield Cluster(servers[0], servers[1], data["slug"], data["section"],
                      tuple(data["teacher"]), tuple(data["colleague"]), browsers)


def _logged_in(cluster: Cluster, who: str = "teacher", server: str | None = None) -> Browser:
    browser = cluster.browser()
    _, email, _ = getattr(cluster, who)
    page = browser.log_in(server or cluster.a, email)
    assert page.status == 303, page.text[-2000:]
    return browser


def _poller_url(page: Page) -> str:
    """Where the chat's poller asks for messages after the last one it has."""
    poller = re.search(r'<div id="chat-poller" data-hx-get="([^"]+)"', page.text)
    assert poller, page.text[-2000:]
    return unescape(poller.group(1))


# --- the tests ----------------------------------------------------------------------------


def test_session_and_csrf_tokens_are_the_same_on_both(cluster):
    browser = cluster.browser()
    assert not browser.logged_in(cluster.a)
    assert not browser.logged_in(cluster.b)

    # The login form of B, sent to A: logged in on A, and on B as well.
    token = browser.get(cluster.b, "/auth/login").csrf_token()
    page = browser.post(cluster.a, "/auth/login",
                        {"csrf_token": token, "email": cluster.teacher[1], "password": PASSWORD})
    assert page.status == 303, page.text[-2000:]
    assert browser.logged_in(cluster.a)
    assert browser.logged_in(cluster.b)
    # The header's profile link: B knows who it is.
    assert f'href="/users/{cluster.teacher[0]}"' in browser.get(cluster.b, "/").text

    # A token from A is accepted by B (and a made-up one is not: the check is on).
    token = browser.get(cluster.a, "/notifications/").csrf_token()
    refused = browser.post(cluster.b, "/auth/logout", {"csrf_token": token[::-1]})
    assert refused.status == 400
    assert browser.logged_in(cluster.a)

    # Logged out on B: logged out on A too.
    page = browser.post(cluster.b, "/auth/logout", {"csrf_token": token})
    assert page.status == 303
    assert not browser.logged_in(cluster.b)
    assert not browser.logged_in(cluster.a)


def test_the_login_limit_counts_the_attempts_on_both(cluster):
    """RATELIMIT_LOGIN is 3 per minute: three wrong passwords (A, B, A) are answered, the
    fourth is refused on B and the fifth on A, since both count in Redis."""
    browser = cluster.browser()
    email = cluster.teacher[1]
    for server in (cluster.a, cluster.b, cluster.a):
        page = browser.log_in(server, email, password="wrong-password")
        assert page.status == 422, page.status
        assert "Неверный адрес электронной почты или пароль." in page.text
    for server in (cluster.b, cluster.a):
        page = browser.log_in(server, email, password="wrong-password")
        assert page.status == 429, page.status
        assert "Слишком много запросов" in page.text
        assert page.headers.get("retry-after")
    # Another address (another person) still may try: the count is per address.
    other = cluster.browser()
    assert other.log_in(cluster.b, email, password="wrong-password").status == 422
    assert other.log_in(cluster.a, email).status == 303


def test_a_notification_made_on_a_rings_the_bell_on_b(cluster):
    teacher = _logged_in(cluster, "teacher", cluster.b)
    colleague = _logged_in(cluster, "colleague", cluster.a)
    assert 'class="count"' not in teacher.get(cluster.b, "/notifications/bell").text

    # The colleague mentions the teacher in a new topic, on A.
    new_topic = f"/c/{cluster.slug}/forum/sections/{cluster.section}/new-topic"
    token = colleague.get(cluster.a, new_topic).csrf_token()
    title = f"Проверка уведомлений {secrets.token_hex(3)}"
    page = colleague.post(cluster.a, new_topic, {
        "csrf_token": token, "title": title,
        "body": f"@[{cluster.teacher[2]}], посмотрите, пожалуйста.",
    })
    assert page.status == 303, page.text[-2000:]

    # The teacher sees it on B: the bell's count and the list.
    bell = teacher.get(cluster.b, "/notifications/bell").text
    assert re.search(r'<span class="count"[^>]*>1</span>', bell), bell
    listing = teacher.get(cluster.b, "/notifications/")
    assert f"{cluster.colleague[2]} упомянул(а) вас в теме «{title}»." in listing.text

    # Read on A (with B's token): B's bell has nothing unread.
    ids = re.findall(r'action="/notifications/(\d+)/read"', listing.text)
    assert len(ids) == 1, listing.text
    page = teacher.post(cluster.a, f"/notifications/{ids[0]}/read",
                        {"csrf_token": listing.csrf_token()})
    assert page.status == 303
    assert 'class="count"' not in teacher.get(cluster.b, "/notifications/bell").text


def test_a_chat_message_sent_on_a_comes_in_polling_on_b(cluster):
    teacher = _logged_in(cluster, "teacher", cluster.a)
    chat = f"/c/{cluster.slug}/chat/"
    poll = _poller_url(teacher.get(cluster.b, chat))
    assert teacher.get(cluster.b, poll).status == 204  # nothing new yet

    text = f"Коллеги, добрый день! {secrets.token_hex(3)}"
    token = teacher.get(cluster.a, chat).csrf_token()
    page = teacher.post(cluster.a, chat + "messages", {"csrf_token": token, "body": text})
    assert page.status == 303, page.text[-2000:]

    # B's poller gets it, and A's next poll (after it) has nothing new.
    new = teacher.get(cluster.b, poll)
    assert new.status == 200 and text in new.text, new.text[-2000:]
    after = _poller_url(new)
    assert after != poll
    assert teacher.get(cluster.a, after).status == 204


def test_a_file_uploaded_via_a_downloads_via_b(cluster):
    teacher = _logged_in(cluster, "teacher", cluster.b)
    new_topic = f"/c/{cluster.slug}/forum/sections/{cluster.section}/new-topic"
    content = ("План методического объединения\n" + secrets.token_hex(64)).encode()
    token = teacher.get(cluster.b, new_topic).csrf_token()
    page = teacher.post(cluster.a, new_topic, {
        "csrf_token": token, "title": "План на четверть", "body": "Прикладываю план.",
    }, files={"files": ("plan.txt", content)})
    assert page.status == 303, page.text[-2000:]
    topic = page.location
    assert re.fullmatch(rf"/c/{cluster.slug}/forum/topics/\d+", topic), topic

    links = re.findall(rf'href="(/c/{cluster.slug}/forum/attachments/\d+)"',
                       teacher.get(cluster.b, topic).text)
    assert len(links) == 1
    download = teacher.get(cluster.b, links[0])
    assert download.status == 200
    assert download.body == content
    assert "plan.txt" in download.headers["content-disposition"]
