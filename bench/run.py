"""Benchmark: the app's pages under gunicorn and wrk, against a bare Flask + Jinja page.

    .venv/bin/python bench/run.py --small                  # quick: a few minutes
    .venv/bin/python bench/run.py                          # the issue's size (seeding is long)
    .venv/bin/python bench/run.py --reuse --pages topic    # one page again, no seeding
    .venv/bin/python bench/run.py --small --database-url sqlite \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_small   # both back ends

For each database (a SQLite file under bench/results/, or a PostgreSQL database whose name
contains «bench»): migrations, `flask seed-demo`, `flask seed-scale`; then the app
(bench/entry.py) and the bare page (bench/bare.py) under gunicorn with the same settings,
a member logged in with a real POST of the login form, and `wrk -c 16 -t 2 --latency` on a
long topic's last page, the community's home page, the materials search, the event
calendar, and the bare page of each one's size. Then the sign-up storm: many members POST
the sign-up for an event with few seats at the same moment. Optionally a soak (--soak 600:
worker memory over 10 minutes) and a py-spy profile of the topic page (--profile).

The figures go into bench/results.md, in this script's own section (bench/README.md says
what each one means).
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.entry import RESULTS_DIR  # noqa: E402

RESULTS_MD = ROOT / "bench" / "results.md"
BIN = Path(sys.executable).parent
SIZES = {
    "full": {"users": 100_000, "posts": 1_000_000, "materials": 100_000, "events": 5_000},
    "small": {"users": 2_000, "posts": 20_000, "materials": 2_000, "events": 200},
}
PAGES = ("topic", "home", "search", "calendar", "floor")
LOGGED_IN_MARKER = 'action="/auth/logout"'
P99_TARGET_MS = 100
SOAK_FLAT = 0.05  # growth after the warm-up below 5 %: flat
OTHERS_WARN = 0.3  # cores used by other work during a run: its figures are disturbed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="See bench/README.md.")
    p.add_argument("--small", action="store_true",
                   help="a quick run: 2 000 users, 20 000 posts, 2 000 materials, 200 events")
    for name in ("users", "posts", "materials", "events"):
        p.add_argument(f"--{name}", type=int, default=None,
                       help=f"seed-scale --{name} (default {SIZES['full'][name]:,}; "
                            f"{SIZES['small'][name]:,} with --small)")
    p.add_argument("--database-url", action="append", default=None,
                   help="a PostgreSQL URL (its database name must contain «bench») or "
                        "«sqlite» (the file bench/results/run-<size>.db, the default); "
                        "give it twice to measure both back ends in one run")
    p.add_argument("--reuse", action="store_true",
                   help="use the database as it is when it has data (no seeding)")
    p.add_argument("--seed-only", action="store_true",
                   help="prepare the database(s) and stop (measure later with --reuse)")
    p.add_argument("--pages", default=",".join((*PAGES, "storm")),
                   help="which to run, comma-separated: topic,home,search,calendar,floor,storm")
    p.add_argument("--seconds", type=float, default=20, help="wrk run per page (default 20)")
    p.add_argument("--warmup", type=float, default=3, help="wrk warm-up per page, not counted")
    p.add_argument("--quiet-wait", type=float, default=120, metavar="SECONDS",
                   help="before each page, wait up to this long for other work on the "
                        "machine to use under 0.3 cores (0: do not wait)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                   help="gunicorn workers, for the app and the bare page (default 2 × cores)")
    p.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--community", default="krasnodar-leaders",
                   help="the community whose pages are measured (a demo one)")
    p.add_argument("--member", default="member.krasnodar@demo.ru",
                   help="who is logged in (a plain member of the community)")
    p.add_argument("--password", default="demo12345", help="the demo password")
    p.add_argument("--search-word", default="урок", help="the materials search's query")
    p.add_argument("--storm-users", type=int, default=200)
    p.add_argument("--storm-seats", type=int, default=5)
    p.add_argument("--soak", type=int, default=0, metavar="SECONDS",
                   help="also run the topic page this long, sampling worker memory")
    p.add_argument("--soak-every", type=int, default=10, metavar="SECONDS")
    p.add_argument("--profile", action="store_true",
                   help="py-spy on a worker during an extra topic-page run "
                        "(bench/results/topic-<db>.svg and a summary)")
    p.add_argument("--random-seed", type=int, default=1)
    p.add_argument("--no-write", action="store_true", help="leave bench/results.md alone")
    args = p.parse_args(argv)
    label = "small" if args.small else "full"
    for name, value in SIZES[label].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
        elif getattr(args, name) != value:
            label = "custom"
    args.size_label = label
    args.pages = [x.strip() for x in args.pages.split(",") if x.strip()]
    unknown = set(args.pages) - {*PAGES, "storm"}
    if unknown:
        p.error(f"unknown pages: {', '.join(sorted(unknown))}")
    args.database_url = args.database_url or ["sqlite"]
    return args


def echo(message: str) -> None:
    print(message, flush=True)


# --- the database ---------------------------------------------------------------------------


def resolve_url(raw: str, args) -> str:
    if raw == "sqlite":
        return f"sqlite:///{RESULTS_DIR / f'run-{args.size_label}.db'}"
    from app.config import normalize_database_url

    url = normalize_database_url(raw)
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        name = make_url(url).database or ""
        if "bench" not in name:
            sys.exit(f"The PostgreSQL database «{name}» must have «bench» in its name.")
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _admin_engine(url: str):
    import sqlalchemy
    from sqlalchemy.engine import make_url

    return sqlalchemy.create_engine(make_url(url).set(database="postgres"),
                                    isolation_level="AUTOCOMMIT")


def database_has_data(url: str) -> bool:
    import sqlalchemy
    from sqlalchemy.engine import make_url

    if is_sqlite(url):
        if not Path(make_url(url).database).exists():
            return False
    else:
        admin = _admin_engine(url)
        with admin.connect() as conn:
            found = conn.execute(sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": make_url(url).database}).scalar()
        admin.dispose()
        if not found:
            return False
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(sqlalchemy.text("SELECT count(*) FROM forum_posts")).scalar())
    except sqlalchemy.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def fresh_database(url: str) -> None:
    import sqlalchemy
    from sqlalchemy.engine import make_url

    if is_sqlite(url):
        path = Path(make_url(url).database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(url).database
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def flask(env: dict[str, str], *command: str, log: Path) -> float:
    """`flask --app bench.entry COMMAND` against the bench database; seconds it took."""
    full = [str(BIN / "flask"), "--app", "bench.entry", *command]
    echo("== " + " ".join(["flask", *command]))
    started = time.perf_counter()
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"\n$ {shlex.join(full)}\n")
        out.flush()
        done = subprocess.run(full, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                              check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`flask {' '.join(command)}` failed ({done.returncode}); see {log}")
    echo(f"   {took:.1f} s")
    return took


def seed_scale_has_events(env: dict[str, str]) -> bool:
    done = subprocess.run([str(BIN / "flask"), "--app", "bench.entry", "seed-scale", "--help"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return "--events" in done.stdout


def seed(url: str, args, env: dict[str, str], log: Path) -> dict:
    """Migrations, demo data and seed-scale: the steps and their seconds."""
    fresh_database(url)
    steps: dict[str, float] = {}
    steps["flask db upgrade"] = flask(env, "db", "upgrade", log=log)
    steps["flask seed-demo"] = flask(env, "seed-demo", log=log)
    command = ["seed-scale", "--users", str(args.users), "--posts", str(args.posts),
               "--materials", str(args.materials), "--random-seed", str(args.random_seed)]
    fallback = False
    if args.events:
        if seed_scale_has_events(env):
            command += ["--events", str(args.events)]
        else:
            fallback = True
            echo("NOTE: `flask seed-scale` has no --events yet: the benchmark adds "
                 f"{args.events} simple events itself (bench/run.py, seed_events_fallback).")
    steps["flask " + " ".join(command)] = flask(env, *command, log=log)
    if fallback:
        started = time.perf_counter()
        seed_events_fallback(url, args.events, args.random_seed)
        steps[f"bench: {args.events} events (fallback)"] = time.perf_counter() - started
    return {"steps": steps, "events_fallback": fallback}


def seed_events_fallback(url: str, count: int, random_seed: int) -> None:
    """Published events in the demo communities, from a year ago to a year ahead, for the
    calendar; only when seed-scale cannot make them."""
    import random

    from sqlalchemy import insert, select

    from app.communities.models import Community
    from app.events.models import Event, EventFormat, EventStatus, EventType
    from app.extensions import db
    from app.mixins import utcnow
    from bench.entry import create_bench_app

    rng = random.Random(random_seed)
    app = create_bench_app(url)
    kinds = ["Семинар", "Вебинар", "Мастер-класс", "Круглый стол", "Конференция"]
    themes = ["функциональная грамотность", "наставничество", "проектная деятельность",
              "ФГОС третьего поколения", "цифровая образовательная среда", "читательская "
              "грамотность", "работа с одарёнными детьми", "инклюзивное образование"]
    types = [EventType.SEMINAR, EventType.WEBINAR, EventType.MASTER_CLASS,
             EventType.ROUND_TABLE, EventType.CONFERENCE]
    with app.app_context():
        communities = db.session.scalars(select(Community.id)).all()
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        rows = []
        for _ in range(count):
            kind = rng.randrange(len(kinds))
            starts = now + timedelta(days=rng.randint(-365, 365), hours=rng.randint(-6, 6))
            rows.append({
                "community_id": rng.choice(communities), "created_by_id": None,
                "type": types[kind], "format": EventFormat.OFFLINE,
                "title": f"{kinds[kind]} «{rng.choice(themes).capitalize()}»",
                "description": "", "description_html": "", "place": "Актовый зал",
                "online_url": "", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                "capacity": rng.choice([None, 30, 50, 100]), "status": EventStatus.PUBLISHED,
                "published_at": now, "sequence": 0, "cancel_reason": "",
                "confirmed_count": 0, "waitlist_count": 0, "created_at": now,
                "updated_at": now,
            })
        db.session.execute(insert(Event.__table__), rows)
        db.session.commit()
        db.session.remove()


# --- what to measure ------------------------------------------------------------------------


@dataclass
class Target:
    """The pages of one database: chosen by looking at its data."""

    slug: str
    community_id: int
    member_id: int
    topic_candidates: list[tuple[str, int]] = field(default_factory=list)
    topic_url: str = ""
    topic_note: str = ""
    calendar_url: str = ""
    calendar_note: str = ""
    sizes: dict = field(default_factory=dict)


def inspect_database(app, args) -> Target:
    from sqlalchemy import func, select

    from app.auth.models import User
    from app.communities.models import Community, Membership
    from app.events.models import Event, EventStatus
    from app.extensions import db
    from app.forum import services as forum_services
    from app.forum.models import Post, Topic
    from app.materials.models import Material

    with app.app_context():
        community = db.session.scalar(select(Community).where(Community.slug == args.community))
        member = db.session.scalar(User.by_email(args.member))
        if community is None or member is None:
            sys.exit(f"No community «{args.community}» or no user «{args.member}».")
        count = db.session.scalar
        target = Target(slug=community.slug, community_id=community.id, member_id=member.id)
        target.sizes = {
            "users": count(select(func.count(User.id))),
            "posts": count(select(func.count(Post.id))),
            "topics": count(select(func.count(Topic.id))),
            "materials": count(select(func.count(Material.id))),
            "events": count(select(func.count(Event.id))),
            "community members": community.member_count,
            "community posts": count(select(func.count(Post.id))
                                     .where(Post.community_id == community.id)),
        }
        # The longest visible topic of the community; its last page.
        topics = db.session.execute(
            select(Topic.id, Topic.post_count)
            .where(Topic.community_id == community.id, Topic.hidden_at.is_(None),
                   Topic.held_at.is_(None))
            .order_by(Topic.post_count.desc(), Topic.id).limit(10)).all()
        target.topic_candidates = [
            (f"/c/{community.slug}/forum/topics/{topic_id}"
             f"?page={forum_services.page_of(max(posts, 1))}", posts)
            for topic_id, posts in topics]
        # The month with the most events in the member's communities.
        mine = select(Membership.community_id).where(
            Membership.user_id == member.id, Membership.left_at.is_(None))
        starts = db.session.scalars(select(Event.starts_at).where(
            Event.community_id.in_(mine), Event.status != EventStatus.DRAFT)).all()
        months = Counter((s.year, s.month) for s in starts)
        if months:
            (year, month), events = max(months.items(), key=lambda kv: (kv[1], kv[0]))
            target.calendar_url = f"/calendar/?month={year:04d}-{month:02d}"
            target.calendar_note = f"{events} events in the month"
        else:
            target.calendar_url = "/calendar/"
            target.calendar_note = "no events in the member's communities"
        db.session.remove()
    return target


def page_urls(target: Target, args) -> dict[str, tuple[str, str]]:
    """page key → (label, URL)."""
    from urllib.parse import quote

    return {
        "topic": ("Topic, last page", target.topic_url),
        "home": ("Community home", f"/c/{target.slug}/"),
        "search": (f"Materials search «{args.search_word}»",
                   f"/c/{target.slug}/materials/?q={quote(args.search_word)}"),
        "calendar": ("Event calendar, month", target.calendar_url),
        # The topic page's size: see floor_url.
        "floor": ("Floor: an empty logged-in page of the community", ""),
    }


def floor_url(port: int, target: Target, cookie: str) -> str:
    """bench/entry.py's floor page, as large as the topic page."""
    size = len(fetch_checked(port, target.topic_url, cookie))
    return f"/c/{target.slug}/bench-floor/{size}"


# --- measuring ------------------------------------------------------------------------------


@dataclass
class PageResult:
    key: str
    label: str
    url: str
    size: int
    app: harness.WrkResult
    bare: harness.WrkResult
    rss_before: dict[int, int]
    rss_after: dict[int, int]
    cpu_app: dict[str, float]
    cpu_bare: dict[str, float]
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.app.rps / self.bare.rps if self.bare.rps else 0.0

    @property
    def cpu_ms(self) -> tuple[float, float]:
        """Server CPU per request (gunicorn workers, plus PostgreSQL), ms: app, bare."""
        return per_request(self.cpu_app, self.app), per_request(self.cpu_bare, self.bare)

    @property
    def cpu_ratio(self) -> float:
        """The bare page's server CPU per request over the page's: the ratio by CPU, which
        other work on the machine and wrk's own share disturb much less than req/s."""
        app, bare = self.cpu_ms
        return bare / app if app else 0.0


def per_request(used: dict[str, float], run: harness.WrkResult) -> float:
    return (used["servers_s"] + used["database_s"]) * 1000 / run.requests if run.requests \
        else 0.0


def mib(rss: dict[int, int]) -> float:
    """Mean RSS of the workers, MiB."""
    return sum(rss.values()) / len(rss) / 1024 if rss else 0.0


def fetch_checked(port: int, url: str, cookie: str) -> bytes:
    status, _, body = harness.request(port, "GET", url, cookie=cookie)
    if status != 200:
        raise RuntimeError(f"GET {url}: {status}, expected 200")
    if LOGGED_IN_MARKER.encode() not in body:
        raise RuntimeError(f"GET {url}: the page is not a logged-in member's")
    return body


def measure_page(app_server, bare_server, key, label, url, cookie, args) -> PageResult:
    body = fetch_checked(app_server.port, url, cookie)
    size = len(body)
    bare_url = f"{bare_server.base}/bare/{size}"
    wrk = dict(connections=args.connections, threads=args.wrk_threads)
    echo(f"-- {label}: {url} ({size} bytes)")
    postgres = not is_sqlite(args.current_url)
    if args.quiet_wait:
        harness.wait_until_quiet([app_server, bare_server], postgres=postgres,
                                 limit=args.quiet_wait, echo=echo)
    if args.warmup:
        harness.run_wrk(app_server.base + url, seconds=args.warmup, cookie=cookie,
                        marker=LOGGED_IN_MARKER, **wrk)
    before = app_server.rss()
    meter = harness.CpuMeter([app_server, bare_server], postgres=postgres).start()
    result = harness.run_wrk(app_server.base + url, seconds=args.seconds, cookie=cookie,
                             marker=LOGGED_IN_MARKER, **wrk)
    cpu_app = meter.stop()
    after = app_server.rss()
    if args.warmup:
        harness.run_wrk(bare_url, seconds=args.warmup, **wrk)
    meter.start()
    bare = harness.run_wrk(bare_url, seconds=args.seconds, **wrk)
    cpu_bare = meter.stop()
    page = PageResult(key, label, url, size, result, bare, before, after, cpu_app, cpu_bare)
    echo(f"   app  {result.rps:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  p99 "
         f"{result.p99_ms:6.1f} ms  queries {result.queries()}  bad {result.bad}  "
         f"RSS {mib(before):.1f}→{mib(after):.1f} MiB  others' CPU {cpu_app['others']:.2f}")
    echo(f"   bare {bare.rps:8.1f} req/s  p50 {bare.p50_ms:6.1f} ms  p99 {bare.p99_ms:6.1f} ms"
         f"  bad {bare.bad}  others' CPU {cpu_bare['others']:.2f}  → ratio {page.ratio:.2f}"
         f"  (by CPU per request: {page.cpu_ms[0]:.2f} / {page.cpu_ms[1]:.2f} ms = "
         f"{page.cpu_ratio:.2f})")
    return page


def pick_topic(port: int, target: Target, cookie: str) -> None:
    for url, posts in target.topic_candidates:
        status, _, _ = harness.request(port, "GET", url, cookie=cookie)
        if status == 200:
            target.topic_url = url
            target.topic_note = f"a topic of {posts} posts"
            return
    raise RuntimeError("no topic of the community could be opened by the member")


@dataclass
class StormOutcome:
    result: harness.StormResult
    seats: int
    confirmed: int
    waitlisted: int
    kept_count: int  # events.confirmed_count afterwards


def run_storm(app, server, target: Target, args) -> StormOutcome:
    """An event with few seats; every member logged in first; all POST the sign-up at once."""
    from sqlalchemy import delete, func, select

    from app.auth.models import User
    from app.communities.models import Membership, Role
    from app.events.models import Event, EventStatus, Registration
    from app.extensions import db
    from app.mixins import utcnow

    with app.app_context():
        rows = db.session.scalars(
            select(User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.community_id == target.community_id,
                   Membership.left_at.is_(None), Membership.role == Role.MEMBER,
                   User.email.like("%@shkola.example"))
            .order_by(User.id).limit(args.storm_users)).all()
        if len(rows) < args.storm_users:
            echo(f"NOTE: only {len(rows)} seeded members for the storm")
        now = utcnow().replace(microsecond=0)
        starts = now + timedelta(days=400)
        event = Event(community_id=target.community_id,
                      title=f"Нагрузочный тест: {args.storm_seats} мест",
                      starts_at=starts, ends_at=starts + timedelta(hours=2),
                      capacity=args.storm_seats, status=EventStatus.PUBLISHED, published_at=now)
        db.session.add(event)
        db.session.commit()
        event_id = event.id
        db.session.remove()
    page = f"/c/{target.slug}/events/{event_id}"
    echo(f"-- sign-up storm: logging {len(rows)} members in")
    started = time.perf_counter()
    sessions = harness.prepare_sessions(server.port, [(e, args.password) for e in rows], page)
    echo(f"   {time.perf_counter() - started:.1f} s; all POST {page}/signup at once")
    result = harness.storm(server.port, f"{page}/signup", sessions)
    with app.app_context():
        counts = dict(db.session.execute(
            select(Registration.status, func.count()).where(Registration.event_id == event_id)
            .group_by(Registration.status)).all())
        kept = db.session.get(Event, event_id).confirmed_count
        # Leave nothing behind: the next --reuse run measures the same data.
        db.session.execute(delete(Registration).where(Registration.event_id == event_id))
        db.session.execute(delete(Event).where(Event.id == event_id))
        db.session.commit()
        db.session.remove()
    outcome = StormOutcome(result, args.storm_seats, counts.get("confirmed", 0),
                           counts.get("waitlisted", 0), kept)
    echo(f"   statuses {dict(result.statuses)}; confirmed {outcome.confirmed} of "
         f"{outcome.seats} seats, waiting {outcome.waitlisted}; p50 {result.p50_ms:.0f} ms, "
         f"p99 {result.p99_ms:.0f} ms")
    return outcome


@dataclass
class SoakOutcome:
    wrk: harness.WrkResult
    samples: list[tuple[float, dict[int, int]]]
    warm_at: float

    def total(self, sample) -> float:
        return sum(sample[1].values()) / 1024

    @property
    def baseline(self):
        return next(s for s in self.samples if s[0] >= self.warm_at) \
            if any(s[0] >= self.warm_at for s in self.samples) else self.samples[0]

    @property
    def growth(self) -> float:
        base = self.total(self.baseline)
        return (self.total(self.samples[-1]) - base) / base if base else 0.0

    @property
    def restarted(self) -> bool:
        return set(self.samples[0][1]) != set(self.samples[-1][1])


def run_soak(server, target: Target, cookie: str, args) -> SoakOutcome:
    echo(f"-- soak: {target.topic_url} for {args.soak} s, RSS every {args.soak_every} s")
    result, samples = harness.soak(server, server.base + target.topic_url, seconds=args.soak,
                                   every=args.soak_every, cookie=cookie,
                                   marker=LOGGED_IN_MARKER, echo=echo)
    outcome = SoakOutcome(result, samples, warm_at=min(60.0, args.soak / 5))
    echo(f"   growth after warm-up {outcome.growth * 100:+.1f} %")
    return outcome


def run_profile(server, target: Target, cookie: str, args, dialect: str) -> dict | None:
    """py-spy on two workers during an extra topic-page run (not one of the measured runs):
    a flame graph from one, collapsed stacks (summarised) from the other."""
    if not harness.pyspy_path():
        echo("NOTE: py-spy is not installed (.venv/bin/pip install py-spy): no profile")
        return None
    pids = server.worker_pids()
    seconds = max(10, int(args.seconds))
    svg = RESULTS_DIR / f"topic-{dialect}.svg"
    raw = RESULTS_DIR / f"topic-{dialect}.collapsed.txt"
    echo(f"-- profile: py-spy on workers {pids[:2]} for {seconds} s → {svg.name}, {raw.name}")
    spies = [harness.pyspy_record(pids[0], seconds, svg, "flamegraph")]
    if len(pids) > 1:
        spies.append(harness.pyspy_record(pids[1], seconds, raw, "raw"))
    time.sleep(1)
    harness.run_wrk(server.base + target.topic_url, seconds=seconds + 1, cookie=cookie,
                    marker=LOGGED_IN_MARKER, connections=args.connections,
                    threads=args.wrk_threads)
    for spy in spies:
        _, err = spy.communicate(timeout=120)
        if spy.returncode != 0:
            echo(f"NOTE: py-spy failed: {err.strip()[-500:]}")
            return None
    summary = harness.summarise_profile(raw.read_text(encoding="utf-8") if raw.exists()
                                        else "")
    out = RESULTS_DIR / f"topic-{dialect}.profile.txt"
    lines = [f"py-spy, {summary['samples']} samples of one worker serving {target.topic_url}",
             "", "Own time by area:"]
    lines += [f"  {share:5.1f} %  {name}" for name, share in summary["areas"]]
    lines += ["", "Top functions by own time:"]
    lines += [f"  {share:5.1f} %  {name}" for name, share in summary["own"]]
    lines += ["", "The project's functions and templates by total time (with what they call):"]
    lines += [f"  {share:5.1f} %  {name}" for name, share in summary["total"]]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    echo("\n".join(lines[:12]))
    summary["files"] = [svg, raw, out]
    return summary


# --- one database ---------------------------------------------------------------------------


def measure_database(raw_url: str, args) -> dict:
    url = args.current_url = resolve_url(raw_url, args)
    dialect = "sqlite" if is_sqlite(url) else "postgresql"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = RESULTS_DIR / f"run-{dialect}-{args.size_label}.log"
    env = {**os.environ, "BENCH_DATABASE_URL": url,
           "BENCH_INSTANCE": str(RESULTS_DIR / f"instance-{dialect}")}
    echo(f"\n==== {dialect}: {url}")
    seeding = None
    if args.reuse and database_has_data(url):
        echo("== reusing the database (no seeding)")
    else:
        seeding = seed(url, args, env, log)
    if args.seed_only:
        return {"dialect": dialect, "seeding": seeding}

    from bench.entry import create_bench_app

    app = create_bench_app(url, Path(env["BENCH_INSTANCE"]))
    target = inspect_database(app, args)
    settings = harness.GunicornSettings(workers=args.workers, worker_class=args.worker_class,
                                        threads=args.threads)
    load_before = os.getloadavg()
    started_at = datetime.now(UTC)
    pages: list[PageResult] = []
    storm_outcome = soak_outcome = profile = None
    app_server = harness.Server("bench.entry", settings, env, log=log)
    bare_server = harness.Server("bench.bare", settings, env, log=log)
    try:
        echo(f"== gunicorn: {settings.describe()}")
        app_server.start("/auth/login")
        bare_server.start("/bare/1000")
        cookie = harness.login(app_server.port, args.member, args.password)
        pick_topic(app_server.port, target, cookie)
        urls = page_urls(target, args)
        for key in PAGES:
            if key in args.pages:
                label, url = urls[key]
                if key == "floor":
                    url = floor_url(app_server.port, target, cookie)
                page = measure_page(app_server, bare_server, key, label, url, cookie, args)
                page.note = {"topic": target.topic_note,
                             "calendar": target.calendar_note,
                             "floor": "what every community page pays before its view; "
                                      "no template"}.get(key, "")
                pages.append(page)
        if "storm" in args.pages:
            storm_outcome = run_storm(app, app_server, target, args)
        if args.soak:
            soak_outcome = run_soak(app_server, target, cookie, args)
        if args.profile:
            profile = run_profile(app_server, target, cookie, args, dialect)
    finally:
        app_server.stop()
        bare_server.stop()
    load_after = os.getloadavg()
    engine_info = versions(app, dialect)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return {
        "dialect": dialect, "url": url, "seeding": seeding, "target": target,
        "settings": settings, "pages": pages, "storm": storm_outcome, "soak": soak_outcome,
        "profile": profile, "load": (load_before[0], load_after[0]), "started": started_at,
        "db_version": engine_info,
    }


def versions(app, dialect: str) -> str:
    if dialect == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        value = db.session.execute(text("SHOW server_version")).scalar()
        db.session.remove()
    return f"PostgreSQL {value} (same machine)"


# --- the report -----------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    kib = int(Path("/proc/meminfo").read_text().split()[1])
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    import gunicorn

    wrk = subprocess.run([harness.wrk_path(), "-v"], capture_output=True, text=True,
                         check=False)
    wrk_version = (wrk.stdout or wrk.stderr).split("[")[0].strip() or "wrk"
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores, {kib / 1024 / 1024:.0f} GiB RAM; {system}",
        f"- Python {platform.python_version()}, gunicorn {gunicorn.__version__}, {wrk_version}",
    ]


def n(value: int | float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def ms(value: float) -> str:
    text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
    return text + (" ⚠" if value >= P99_TARGET_MS else "")


def cpu(used: dict[str, float]) -> str:
    """«1.5 / 0.3 / 0.2 / 0.0» cores; others' work of 0.3 cores or more is marked."""
    mark = " ⚠" if used["others"] >= OTHERS_WARN else ""
    return (f"{used['servers']:.1f} / {used['wrk']:.1f} / {used['database']:.1f} / "
            f"{used['others']:.1f}{mark}")


def section(result: dict, args, command: str) -> str:
    dialect = result["dialect"]
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[dialect]
    sizes = result["target"].sizes
    size_note = {"small": "SMALL size (--small): not the issue's target size",
                 "full": "the issue's size", "custom": "custom size"}[args.size_label]
    out = [
        f"### {name}, {size_note}", "",
        f"- date: {result['started'].strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `{command}`",
        *machine(),
        f"- database: {result['db_version']}",
        f"- data: {n(sizes['users'])} users, {n(sizes['posts'])} posts in "
        f"{n(sizes['topics'])} topics, {n(sizes['materials'])} materials, "
        f"{n(sizes['events'])} events; the community «{result['target'].slug}» has "
        f"{n(sizes['community members'])} members and {n(sizes['community posts'])} posts; "
        f"logged in as {args.member}",
    ]
    if result["seeding"]:
        steps = "; ".join(f"`{k}` {v:.0f} s" for k, v in result["seeding"]["steps"].items())
        out.append(f"- seeding: {steps}")
        if result["seeding"]["events_fallback"]:
            out.append("- events: `flask seed-scale` had no `--events`; the benchmark added "
                       "simple published events itself")
    else:
        out.append("- seeding: none (`--reuse` of an existing database)")
    out += [
        f"- gunicorn, the same for the app (`bench.entry:app`) and the bare page "
        f"(`bench.bare:app`): {result['settings'].describe()}",
        f"- load: `wrk -c {args.connections} -t {args.wrk_threads} -d {args.seconds:g}s "
        f"--latency` with the session cookie, after a {args.warmup:g} s warm-up that is not "
        "counted; each app page is followed by its bare page of the same byte size",
        f"- load average (1 min) before the servers started and at the end: "
        f"{result['load'][0]:.1f}, {result['load'][1]:.1f}"
        + ("; ⚠ a CI run was going: figures unreliable" if result.get("ci") else ""),
        "- «server CPU per request»: the CPU time of the gunicorn workers (and of "
        "PostgreSQL) divided by the requests served; in brackets the bare page's over the "
        "page's, the ratio by CPU, which other work on the machine disturbs much less than "
        "req/s. «cores»: used on average during the run by our gunicorn servers, by wrk, by "
        f"PostgreSQL and by other work on the machine (it has {os.cpu_count()}); ⚠ marks "
        f"others' work of {OTHERS_WARN} cores or more, which lowers that run's req/s",
        "",
    ]
    if result["pages"]:
        out += [
            "| page | bytes | req/s | ratio to bare | p50, ms | p99, ms | queries/request "
            "| worker RSS before→after, MiB | not 200 | server CPU per request, ms "
            "(ratio) | cores: servers / wrk / db / others |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
        ]
        for page in result["pages"]:
            app_, bare = page.app, page.bare
            note = f"; {page.note}" if page.note else ""
            out.append(
                f"| {page.label} (`{page.url}`{note}) | {n(page.size)} | {app_.rps:.1f} | "
                f"**{page.ratio:.2f}** | {ms(app_.p50_ms)} | {ms(app_.p99_ms)} | "
                f"{app_.queries()} | {mib(page.rss_before):.1f}→{mib(page.rss_after):.1f} | "
                f"{app_.bad} of {n(app_.requests)} | {page.cpu_ms[0]:.2f} "
                f"({page.cpu_ratio:.2f}) | {cpu(page.cpu_app)} |")
            out.append(
                f"| ↳ bare page, same size (`/bare/{page.size}`) | {n(page.size)} | "
                f"{bare.rps:.1f} | 1 | {ms(bare.p50_ms)} | {ms(bare.p99_ms)} | – | – | "
                f"{bare.bad} of {n(bare.requests)} | {page.cpu_ms[1]:.2f} | "
                f"{cpu(page.cpu_bare)} |")
        out.append("")
    storm = result["storm"]
    if storm:
        r = storm.result
        others = ", ".join(f"{code}: {count}" for code, count in sorted(
            r.statuses.items(), key=lambda kv: str(kv[0])))
        exact = storm.confirmed == storm.seats == storm.kept_count
        out += [
            "Sign-up storm: every member logged in beforehand with its own session; all "
            "POST the sign-up of one event at the same moment (a thread and an open "
            "connection each, released by a barrier).", "",
            "| members | seats | confirmed (rows; kept count) | waiting list | responses | 5xx "
            "| p50, ms | p99, ms |",
            "| ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |",
            f"| {r.users} | {storm.seats} | {storm.confirmed}; {storm.kept_count} "
            f"{'✓' if exact else '✗'} | {storm.waitlisted} | {others} | {r.server_errors} | "
            f"{r.p50_ms:.0f} | {r.p99_ms:.0f} |", "",
        ]
        if r.errors:
            out += [f"Errors: {'; '.join(sorted(set(r.errors))[:5])}", ""]
    soak = result["soak"]
    if soak:
        first, base, last = soak.samples[0], soak.baseline, soak.samples[-1]
        flat = soak.growth < SOAK_FLAT and not soak.restarted
        trace = ", ".join(f"{soak.total(s):.0f}" for s in soak.samples)
        out += [
            f"Soak: the topic page for {args.soak} s; workers' RSS (sum of "
            f"{len(last[1])}) every {args.soak_every} s.", "",
            f"- {soak.wrk.rps:.1f} req/s, p50 {soak.wrk.p50_ms:.1f} ms, p99 "
            f"{soak.wrk.p99_ms:.1f} ms, not 200: {soak.wrk.bad} of {n(soak.wrk.requests)}",
            f"- RSS {soak.total(first):.1f} MiB at the start, {soak.total(base):.1f} MiB after "
            f"the {soak.warm_at:.0f} s warm-up, {soak.total(last):.1f} MiB at the end: "
            f"**{soak.growth * 100:+.1f} %** after warm-up → "
            f"{'flat' if flat else 'NOT flat'} (limit {SOAK_FLAT * 100:.0f} %)"
            + ("; a worker was restarted" if soak.restarted else ""),
            f"- samples, MiB: {trace}", "",
        ]
    profile = result["profile"]
    if profile:
        out += [f"Profile of the topic page (py-spy, {profile['samples']} samples of one "
                f"worker under the same load; flame graph `bench/results/"
                f"topic-{dialect}.svg`, full list `bench/results/topic-{dialect}.profile.txt`):",
                "",
                "| own time by area | % |", "| --- | ---: |"]
        out += [f"| {name} | {share:.1f} |" for name, share in profile["areas"]]
        out += ["", "| top functions by own time | % |", "| --- | ---: |"]
        out += [f"| `{name}` | {share:.1f} |" for name, share in profile["own"][:12]]
        out += ["", "| the project's code by total time | % |", "| --- | ---: |"]
        out += [f"| `{name}` | {share:.1f} |" for name, share in profile["total"][:10]]
        out.append("")
    out += targets(result, args)
    return "\n".join(out)


def targets(result: dict, args) -> list[str]:
    """The issue's targets, as measured by this run."""
    lines = ["Against the issue's targets (at this size):", ""]
    topic = next((p for p in result["pages"] if p.key == "topic"), None)
    if topic:
        ok = topic.ratio >= 0.5
        lines.append(f"- topic page throughput ≥ ½ of the bare page's: {topic.ratio:.2f} "
                     f"{'✓' if ok else '✗'} (by server CPU per request: "
                     f"{topic.cpu_ratio:.2f})")
    floor = next((p for p in result["pages"] if p.key == "floor"), None)
    if floor:
        lines.append(f"- the floor (an empty logged-in community page) against the bare page: "
                     f"{floor.ratio:.2f} (by server CPU per request: {floor.cpu_ratio:.2f}); "
                     "no page of a community can do better in this request lifecycle")
    measured = [p for p in result["pages"] if p.key != "floor"]
    if measured:
        slow = [f"{p.label} {p.app.p99_ms:.0f} ms" for p in measured
                if p.app.p99_ms >= P99_TARGET_MS]
        lines.append(f"- p99 < {P99_TARGET_MS} ms on every page: "
                     + ("✓" if not slow else "✗ " + ", ".join(slow)))
        bad = sum(p.app.bad + p.bare.bad for p in result["pages"])
        lines.append(f"- every response a logged-in 200: {'✓' if not bad else f'✗ {bad} not'}")
    storm = result["storm"]
    if storm:
        ok = (storm.confirmed == storm.seats == storm.kept_count
              and storm.result.server_errors == 0 and not storm.result.errors)
        lines.append(f"- storm confirms exactly the seats, no server error: {'✓' if ok else '✗'}")
    soak = result["soak"]
    if soak:
        ok = soak.growth < SOAK_FLAT and not soak.restarted
        lines.append(f"- worker memory flat over {args.soak} s: {'✓' if ok else '✗'}")
    lines.append("")
    return lines


SECTION_START, SECTION_END = "<!-- bench-run -->", "<!-- /bench-run -->"
SECTION_INTRO = """## Pages under load: `bench/run.py`

Written by `bench/run.py` (see bench/README.md): the app under gunicorn, `wrk` on
127.0.0.1, each page beside a bare Flask + Jinja page of the same size under the same
gunicorn settings. One block per back end and size; a run replaces only its own block.
⚠ marks a latency of 100 ms or more (the issue's p99 target). The machine is shared: other
sessions' work inflates latencies, see the load average of each block.
"""


def write_results(blocks: dict[str, str]) -> None:
    """Replace (or add) each `key → text` block inside this script's section of results.md;
    everything else in the file (bench/materials.py's sections) stays as it is."""
    current = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    if SECTION_START in current and SECTION_END in current:
        before, rest = current.split(SECTION_START, 1)
        inside, after = rest.split(SECTION_END, 1)
    else:
        before, inside, after = current.rstrip("\n") + "\n\n", "\n" + SECTION_INTRO, "\n"
    for key, text in blocks.items():
        start, end = f"<!-- bench-run:{key} -->", f"<!-- /bench-run:{key} -->"
        block = f"{start}\n{text.rstrip()}\n{end}"
        if start in inside and end in inside:
            head, tail = inside.split(start, 1)
            inside = head + block + tail.split(end, 1)[1]
        else:
            inside = inside.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS_MD.write_text(before + SECTION_START + inside + SECTION_END + after,
                          encoding="utf-8")


def ci_running() -> bool:
    return subprocess.run(["pgrep", "-f", "ci/run"], capture_output=True,
                          check=False).returncode == 0


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    harness.wrk_path()  # fail early when wrk is missing
    command = " ".join([".venv/bin/python bench/run.py",
                        *(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))])
    ci = ci_running()
    if ci:
        echo("WARNING: a CI run is going on this machine: the figures will be unreliable.")
    blocks = {}
    for raw_url in args.database_url:
        result = measure_database(raw_url, args)
        if args.seed_only:
            continue
        result["ci"] = ci or ci_running()
        text = section(result, args, command)
        blocks[f"{result['dialect']}:{args.size_label}"] = text
        echo("\n" + text)
    if blocks and not args.no_write:
        write_results(blocks)
        echo(f"Written: {RESULTS_MD.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
