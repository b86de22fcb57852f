"""Benchmark: the materials bank's list and search pages with many materials.

    .venv/bin/python bench/materials.py --materials 100000
    .venv/bin/python bench/materials.py --materials 100000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_materials

Creates a fresh database (a SQLite file under bench/results/, or the PostgreSQL database of
--database-url, dropped and created again; its name must contain «bench»), runs the
migrations, seeds the demo data (`flask seed-demo`) and `flask seed-scale`, then requests each
page --repeat times with the Flask test client, logged in as a member of the community, and
reports p50/p95/p99 latency and the SQL statements per request. The table goes into
bench/results.md (one section per back end; the other back end's section is kept).

--reuse measures an existing database again without seeding; --profile writes a pyinstrument
profile of one request of each page to bench/results/ (pip install pyinstrument).
"""

from __future__ import annotations

import argparse
import html
import os
import platform
import re
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy  # noqa: E402
from flask_login import FlaskLoginClient  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402
from sqlalchemy import text as sql_text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

BENCH = ROOT / "bench"
RESULTS_DIR = BENCH / "results"  # git-ignored: databases, instance folder, profiles
RESULTS_MD = BENCH / "results.md"
DEFAULT_SQLITE = RESULTS_DIR / "materials.db"
SLOW_MS = 200



def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--materials", type=int, default=100_000)
    p.add_argument("--users", type=int, default=2000, help="seed-scale users (members)")
    p.add_argument("--posts", type=int, default=0, help="seed-scale forum posts")
    p.add_argument("--community", default="krasnodar-leaders",
                   help="the community that gets every material (a demo one by default)")
    p.add_argument("--member", default="member.krasnodar@demo.ru",
                   help="who is logged in (a plain member of the community)")
    p.add_argument("--database-url", default=None,
                   help=f"default: sqlite:///{DEFAULT_SQLITE.relative_to(ROOT)}")
    p.add_argument("--repeat", type=int, default=50)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--random-seed", type=int, default=1)
    p.add_argument("--reuse", action="store_true", help="measure the existing database")
    p.add_argument("--keep", action="store_true", help="keep a PostgreSQL database afterwards")
    p.add_argument("--profile", action="store_true", help="pyinstrument, one request per page")
    p.add_argument("--no-write", action="store_true", help="do not touch bench/results.md")
    return p.parse_args()


# --- the database ---------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if "bench" not in name:
        sys.exit(f"Refusing to drop the database «{name}»: its name must contain «bench».")
    admin = sqlalchemy.create_engine(parsed.set(database="postgres"),
                                     isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql_text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sql_text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = sqlalchemy.create_engine(parsed.set(database="postgres"),
                                     isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql_text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def make_app(url: str):
    from app import create_app
    from app.config import Config, normalize_database_url

    instance = RESULTS_DIR / "instance"

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = normalize_database_url(url)
        INSTANCE_DIR = instance
        UPLOAD_FOLDER = str(instance / "uploads")
        MAIL_OUTBOX = str(instance / "outbox")
        SECRET_KEY = "bench-secret-key"
        RATELIMIT_ENABLED = False

    app = create_app(BenchConfig)
    app.test_client_class = FlaskLoginClient
    return app


def seed(app, args) -> float:
    """Migrations, demo data, seed-scale; the seconds seed-scale took."""
    import flask_migrate

    from app.extensions import db
    from app.scale import seed_scale

    with app.app_context():
        print("== flask db upgrade")
        flask_migrate.upgrade()
    print("== flask seed-demo")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    if result.exit_code != 0:
        sys.exit(result.output)
    command = ["--users", str(args.users), "--materials", str(args.materials),
               "--posts", str(args.posts), "--community", args.community,
               "--random-seed", str(args.random_seed)]
    print("== flask seed-scale " + " ".join(command))
    with app.app_context():
        started = time.perf_counter()
        seed_scale.main(args=command, standalone_mode=False)
        took = time.perf_counter() - started
        db.session.remove()
    return took


# --- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def pages(slug: str, with_posts: bool) -> list[tuple[str, str]]:
    base = f"/c/{slug}/materials/"
    found = [
        ("Список материалов (сначала новые)", base),
        ("Список, вид «Конспект урока»", f"{base}?type=lesson_plan"),
        ("Список, чаще скачивают", f"{base}?sort=downloads"),
        ("Список, сначала лучшие практики", f"{base}?sort=best"),
        # The bank pages by cursor: the address of page 50 is found by following
        # «Показать ещё» 49 times (page_50_url).
        ("Список, страница 50", PAGE_50),
        ("Поиск «урок»", f"{base}?q=урок"),
        ("Поиск «методическое»", f"{base}?q=методическое"),
        ("Поиск редкого слова «квиллинг»", f"{base}?q=квиллинг"),
        ("Поиск «урок» + вид «Конспект урока»", f"{base}?q=урок&type=lesson_plan"),
        ("Банк всех сообществ: поиск «урок»", "/bank/?q=урок"),
    ]
    if with_posts:
        found.append(("Форум: поиск «опыт»", f"/c/{slug}/forum/search?q=опыт"))
    return found


PAGE_50 = "page 50"
_MORE_LINK = re.compile(r'<a href="([^"]*[?&]after=[^"]*)"')


def page_50_url(client, base: str) -> str:
    """The address of the bank's 50th page (newest first): follow the «Показать ещё» link of
    each page, as a reader would."""
    url = base
    for _ in range(49):
        body = client.get(url).get_data(as_text=True)
        found = _MORE_LINK.search(body)
        if found is None:
            sys.exit(f"The bank has fewer than 50 pages: no «Показать ещё» on {url}.")
        url = html.unescape(found.group(1))
    return url


def measure(app, args) -> dict:
    from app.auth.models import User
    from app.communities.models import Community
    from app.extensions import db
    from app.forum.models import Post
    from app.materials.models import Material
    from app.search import SearchDocument

    with app.app_context():
        engine = db.engine
        community = db.session.scalar(select(Community).where(Community.slug == args.community))
        user = db.session.scalar(User.by_email(args.member))
        if community is None or user is None:
            sys.exit(f"No community «{args.community}» or no user «{args.member}».")
        sizes = {
            "materials in the community": db.session.scalar(
                select(func.count()).where(Material.community_id == community.id)),
            "materials in all": db.session.scalar(select(func.count(Material.id))),
            "search documents": db.session.scalar(select(func.count(SearchDocument.id))),
            "forum posts": db.session.scalar(select(func.count(Post.id))),
            "members of the community": community.member_count,
        }
        slug = community.slug
        db.session.remove()

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    load_before = os.getloadavg()[0]
    client = app.test_client(user=user)
    rows = []
    profiler_cls = None
    if args.profile:
        from pyinstrument import Profiler as profiler_cls
    for label, url in pages(slug, bool(sizes["forum posts"])):
        if url == PAGE_50:
            url = page_50_url(client, f"/c/{slug}/materials/")
        for _ in range(args.warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times, cpu, counts = [], [], []
        for _ in range(args.repeat):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            counts.append(len(statements))
            assert response.status_code == 200, (url, response.status_code)
        body = response.get_data(as_text=True)
        shown = body.count('class="material-row"')
        if "/forum/search" in url:
            results = body.split('class="search-results"', 1)[-1].split("</ol>", 1)[0]
            shown = results.count("<li>")
        rows.append({
            "label": label, "url": url, "shown": shown,
            "p50": percentile(times, 50), "p95": percentile(times, 95),
            "p99": percentile(times, 99), "cpu50": percentile(cpu, 50),
            "queries": sorted(set(counts)),
            "sql": list(statements),
        })
        print(f"  {label:<40} p50 {rows[-1]['p50']:7.1f} ms  p95 {rows[-1]['p95']:7.1f} ms  "
              f"p99 {rows[-1]['p99']:7.1f} ms  CPU p50 {rows[-1]['cpu50']:7.1f} ms  "
              f"queries {counts[-1]}  rows {shown}")
        if profiler_cls is not None:
            profiler = profiler_cls(interval=0.0005)
            profiler.start()
            client.get(url)
            profiler.stop()
            name = re.sub(r"[^\w]+", "-", label.lower()).strip("-")
            out = RESULTS_DIR / f"profile-{engine.dialect.name}-{name}.txt"
            out.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    event.remove(engine, "before_cursor_execute", before)
    load = (load_before, os.getloadavg()[0])
    return {"sizes": sizes, "rows": rows, "dialect": engine.dialect.name, "engine": engine,
            "load": load}


# --- the report -----------------------------------------------------------------------------


def machine(engine) -> list[str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    lines = [
        f"- machine: {os.cpu_count()} cores (nproc){', ' + cpu if cpu else ''}{memory}",
        f"- Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}",
    ]
    if engine.dialect.name == "sqlite":
        lines.append(f"- SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)")
    else:
        with engine.connect() as conn:
            version = conn.execute(sql_text("SHOW server_version")).scalar()
        lines.append(f"- PostgreSQL {version} (on the same machine)")
    return lines


def database_size(engine, url: str) -> str:
    if engine.dialect.name == "sqlite":
        path = Path(make_url(url).database)
        size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal")
                   if Path(f"{path}{s}").exists())
    else:
        with engine.connect() as conn:
            size = conn.execute(sql_text("SELECT pg_database_size(current_database())")).scalar()
    return f"{size / 1024 / 1024:.0f} MB"


def n(value: int) -> str:
    """100000 → «100 000»."""
    return f"{value:,}".replace(",", "\u00a0")


def section(args, result, seed_seconds: float | None, url: str) -> str:
    engine = result["engine"]
    name = "SQLite" if result["dialect"] == "sqlite" else "PostgreSQL"
    command = " ".join(["bench/materials.py", *sys.argv[1:]])
    sizes = result["sizes"]
    out = [
        f"## {name}", "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `.venv/bin/python {command}`",
        *machine(engine),
        f"- data: {n(sizes['materials in the community'])} materials in the community "
        f"(«{args.community}», {n(sizes['members of the community'])} members), "
        f"{n(sizes['materials in all'])} in all, {n(sizes['search documents'])} search "
        f"documents, {n(sizes['forum posts'])} forum posts; database "
        f"{database_size(engine, url)}",
    ]
    if seed_seconds is not None:
        out.append(f"- seeding: `flask seed-scale --users {args.users} --materials "
                   f"{args.materials} --posts {args.posts}` took **{seed_seconds:.1f} s**")
    out += [
        f"- each page requested {args.repeat} times after {args.warmup} warm-up requests, "
        f"with the Flask test client (no network, no server), logged in as {args.member}",
        f"- load average (1 min) when measuring began and ended: {result['load'][0]:.1f}, "
        f"{result['load'][1]:.1f} (other work on the machine inflates wall-clock times; "
        "«CPU» is the benchmark process's own CPU time per request, the database server's "
        "not included)",
        "",
        "| page | rows shown | p50, ms | p95, ms | p99, ms | CPU p50, ms | SQL queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        queries = "–".join(str(q) for q in (row["queries"][0], row["queries"][-1])) \
            if len(row["queries"]) > 1 else str(row["queries"][0])
        slow = " ⚠" if row["p50"] > SLOW_MS else ""
        out.append(f"| {row['label']} (`{row['url']}`) | {row['shown']} | {row['p50']:.1f}{slow}"
                   f" | {row['p95']:.1f} | {row['p99']:.1f} | {row['cpu50']:.1f} | {queries} |")
    out.append("")
    return "\n".join(out)


HEADER = f"""# Benchmark results: materials bank at scale

Written by `bench/materials.py` (see bench/README.md); each back end's section is replaced
when the benchmark runs on it again. ⚠ marks a median over {SLOW_MS} ms.
"""


def write_results(dialect: str, text: str) -> None:
    start, end = f"<!-- bench:{dialect} -->", f"<!-- /bench:{dialect} -->"
    block = f"{start}\n{text}\n{end}"
    current = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else HEADER
    if start in current and end in current:
        before, rest = current.split(start, 1)
        current = before + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS_MD.write_text(current, encoding="utf-8")


def main() -> None:
    args = parse_args()
    url = args.database_url or f"sqlite:///{DEFAULT_SQLITE}"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    is_postgres = make_url(url).get_backend_name() == "postgresql"
    if not args.reuse:
        fresh_database(url)
    app = make_app(url)
    seed_seconds = None if args.reuse else seed(app, args)
    if seed_seconds is not None:
        print(f"seed-scale: {seed_seconds:.1f} s")
    print("== measuring")
    result = measure(app, args)
    text = section(args, result, seed_seconds, url)
    if not args.no_write:
        write_results(result["dialect"], text)
        print(f"Written: {RESULTS_MD.relative_to(ROOT)}")
    result["engine"].dispose()
    if is_postgres and not (args.keep or args.reuse):
        drop_database(url)


if __name__ == "__main__":
    main()
