"""The benchmark harness (bench/) at a tiny size, without wrk: the bare page's size, the
query-count header, the parsing of wrk's report, and the sign-up storm against a short-lived
gunicorn serving the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from flask import Flask
from flask_login import FlaskLoginClient
from sqlalchemy import create_engine, func, select, text

from app.events.models import Event, Registration
from app.extensions import db
from bench import bare, entry, harness
from tests.events.conftest import make_event
from tests.factories import PASSWORD, make_community, make_membership, make_user


@pytest.mark.parametrize("size", [1_000, 4_321, 65_536, 250_001])
def test_the_bare_page_has_exactly_the_requested_size(size):
    response = bare.create_app().test_client().get(f"/bare/{size}")
    assert response.status_code == 200
    assert len(response.data) == size
    assert response.data.startswith(b"<!doctype html>")


def test_the_query_header_counts_the_statements_of_each_request():
    engine = create_engine("sqlite://")
    web = Flask(__name__)

    @web.get("/three")
    def three():
        with engine.connect() as conn:
            for _ in range(3):
                conn.execute(text("SELECT 1"))
        return "ok"

    @web.get("/none")
    def none():
        return "ok"

    web.wsgi_app = entry.QueryCountMiddleware(web.wsgi_app)
    client = web.test_client()
    assert client.get("/three").headers[entry.QUERIES_HEADER] == "3"
    assert client.get("/none").headers[entry.QUERIES_HEADER] == "0"
    assert client.get("/three").headers[entry.QUERIES_HEADER] == "3"
    with engine.connect() as conn:  # outside a request: not counted, no error
        conn.execute(text("SELECT 1"))
    engine.dispose()


WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:41234/c/x/forum/topics/7?page=2
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    25.10ms    8.20ms 120.00ms   80.00%
    Req/Sec   320.00     40.00   400.00     70.00%
  Latency Distribution
     50%   23.50ms
     75%   28.00ms
     90%   35.00ms
     99%    1.20s
  12800 requests in 20.00s, 600.00MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 5
Requests/sec:    640.00
Transfer/sec:     30.00MB
BENCH-JSON {"statuses": {"200": 12795, "500": 5}, "bytes_min": 41000, "bytes_max": 41010, \
"unmarked": 1, "queries_min": 9, "queries_max": 11, "queries_sum": 128000, "queries_n": 12800}
""".replace("\\\n", "")


def test_wrk_report_is_parsed_and_errors_are_counted():
    result = harness.parse_wrk(WRK_OUTPUT, "http://x", 20)
    assert result.requests == 12800
    assert result.rps == 640.0
    assert result.p50_ms == 23.5
    assert result.p99_ms == 1200.0
    assert result.statuses == {"200": 12795, "500": 5}
    assert (result.bytes_min, result.bytes_max) == (41000, 41010)
    assert result.queries() == "9–11"
    assert result.queries_mean == 10.0
    # 5 errors, 1 page without the logged-in marker, 3 read errors and 2 timeouts
    assert result.bad == 11


def test_cpu_meter_sees_its_own_servers_and_the_rest():
    meter = harness.CpuMeter([]).start()
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        pass  # this process is not one of the servers: its work is others' work
    used = meter.stop()
    assert used["servers"] == used["wrk"] == used["database"] == 0
    assert used["others"] > 0.3


def test_profile_summary_groups_own_time():
    raw = ("<module> (gunicorn/app.py:1);handle (flask/app.py:10);"
           "do_execute (sqlalchemy/engine/default.py:9) 30\n"
           "<module> (gunicorn/app.py:1);handle (flask/app.py:10);"
           "root (forum/topic.html:3) 70\n")
    summary = harness.summarise_profile(raw)
    assert summary["samples"] == 100
    assert dict(summary["areas"]) == {"Jinja templates (rendering)": 70.0,
                                      harness.DATABASE_AREA: 30.0}
    assert summary["total"] == [("root (forum/topic.html)", 70.0)]


SEATS, MEMBERS = 3, 8


def test_sign_up_storm_under_gunicorn_confirms_exactly_the_seats(app, tmp_path):
    community = make_community(slug="storm-test")
    coordinator = make_user()
    make_membership(coordinator, community, role="coordinator")
    members = [make_user(email=f"storm{i}@school.ru") for i in range(MEMBERS)]
    for member in members:
        make_membership(member, community)
    event = make_event(community, coordinator, capacity=SEATS)
    event_id = event.id
    page = f"/c/storm-test/events/{event_id}"
    env = {"BENCH_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "BENCH_INSTANCE": str(tmp_path)}
    with harness.Server("bench.entry", harness.GunicornSettings(workers=2), env) as server:
        server.start("/auth/login")
        assert len(server.rss()) == 2 and all(kib > 0 for kib in server.rss().values())
        # A logged-in page carries the query count.
        cookie = harness.login(server.port, members[0].email, PASSWORD)
        status, headers, body = harness.request(server.port, "GET", page, cookie=cookie)
        assert status == 200 and b'action="/auth/logout"' in body
        assert int(headers[entry.QUERIES_HEADER]) > 0

        sessions = harness.prepare_sessions(
            server.port, [(m.email, PASSWORD) for m in members], page)
        result = harness.storm(server.port, f"{page}/signup", sessions)

    assert result.errors == []
    assert result.statuses == Counter({303: MEMBERS})
    assert result.server_errors == 0
    assert len(result.latencies_ms) == MEMBERS
    db.session.expire_all()
    counts = dict(db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event_id)
        .group_by(Registration.status)).all())
    assert counts == {"confirmed": SEATS, "waitlisted": MEMBERS - SEATS}
    assert db.session.get(Event, event_id).confirmed_count == SEATS


def test_the_floor_page_is_an_empty_page_of_the_community_for_its_members(app, tmp_path):
    """bench/entry.py's floor: exactly the bytes asked, with run.py's logged-in marker, and
    the community's access rules (it must pay for them to be a fair floor)."""
    community = make_community()
    member, outsider = make_user(), make_user()
    make_membership(member, community)
    bench_app = entry.create_bench_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    bench_app.test_client_class = FlaskLoginClient
    url = f"/c/{community.slug}/bench-floor/4321"
    try:
        response = bench_app.test_client(user=member).get(url)
        assert response.status_code == 200
        assert len(response.data) == 4321
        assert b'action="/auth/logout"' in response.data
        assert bench_app.test_client(user=outsider).get(url).status_code == 403
        assert bench_app.test_client().get(url).status_code in (302, 303)
        assert bench_app.test_client(user=member).get(
            "/c/no-such-community/bench-floor/10").status_code == 404
    finally:
        with bench_app.app_context():  # its own engine: close its connections
            db.engine.dispose()
