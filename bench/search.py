"""Benchmark: the bank's and the forum's search, one request at a time, in process.

    .venv/bin/python bench/search.py                       # bench/results/run-full.db
    .venv/bin/python bench/search.py --database-url postgresql://postgres@127.0.0.1:5432/bench_full

On an existing database (`bench/run.py --seed-only` makes one at the issue's size), logged in
as a member with Flask's test client (no server, no network): each search page
is requested --repeat times after --warmup requests, one after another, and the p50 and the
slowest are printed as a Markdown table, with the p50 of this process's CPU time (on SQLite
that includes the database's work; on PostgreSQL the server's is not in it), the SQL
statements per request, the rows shown and whether the page showed the ranking window's
notice. Then the same for the search statement alone (`app.search.search()`, the kinds and
community as the page gives them). Nothing is written: paste the tables into
bench/results.md («Bank search at scale»).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WINDOW_NOTICE = "уточните запрос"  # the end of the ranking window's notice


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=f"sqlite:///{ROOT / 'bench/results/run-full.db'}")
    p.add_argument("--community", default="krasnodar-leaders")
    p.add_argument("--member", default="member.krasnodar@demo.ru")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--warmup", type=int, default=2)
    return p.parse_args()


def pages(slug: str) -> list[tuple[str, str]]:
    bank = f"/c/{slug}/materials/"
    forum = f"/c/{slug}/forum/search"
    return [
        ("bank: common word «урок»", f"{bank}?q=урок"),
        ("bank: rare word «квиллинг»", f"{bank}?q=квиллинг"),
        ("bank: two words «функциональная грамотность»", f"{bank}?q=функциональная+грамотность"),
        ("bank: typing «методич»", f"{bank}?q=методич"),
        ("bank: typing «уро»", f"{bank}?q=уро"),
        ("bank: «урок» + type «Конспект урока»", f"{bank}?q=урок&type=lesson_plan"),
        ("all my banks: «урок»", "/bank/?q=урок"),
        ("forum: common word «урок»", f"{forum}?q=урок"),
        ("forum: rare word «квиллинг»", f"{forum}?q=квиллинг"),
    ]


def timed(call, repeat: int, warmup: int) -> tuple[list[float], list[float], object]:
    """Wall-clock and this process's CPU milliseconds of each call, and the last result."""
    result = None
    for _ in range(warmup):
        result = call()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu, result


def main() -> None:
    args = parse_args()
    dialect = "sqlite" if args.database_url.startswith("sqlite") else "postgresql"
    # The instance folder bench/run.py gives the same database (nothing is written there).
    os.environ.setdefault("BENCH_INSTANCE", str(ROOT / f"bench/results/instance-{dialect}"))
    from flask_login import FlaskLoginClient
    from sqlalchemy import event, select

    from app import search
    from app.auth.models import User
    from app.communities.models import Community
    from app.extensions import db
    from bench.entry import create_bench_app

    app = create_bench_app(args.database_url)
    app.test_client_class = FlaskLoginClient
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a: statements.__setitem__(0, statements[0] + 1))
        user = db.session.scalar(select(User).where(User.email == args.member))
        community = db.session.scalar(select(Community).where(Community.slug == args.community))
        db.session.expunge_all()
    client = app.test_client(user=user)
    load = os.getloadavg()[0]
    print(f"{dialect}: {args.repeat} requests each after "
          f"{args.warmup}; load average {load:.1f}\n")
    print("| page | p50, ms | max, ms | CPU p50, ms | SQL statements | rows | window notice |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, path in pages(args.community):
        def get(path=path):
            statements[0] = 0
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response, statements[0]
        times, cpu, (response, count) = timed(get, args.repeat, args.warmup)
        body = response.get_data(as_text=True)
        rows = body.count('class="material-row"') or body.count("forum/posts/")
        print(f"| {name} (`{path}`) | {statistics.median(times):.1f} | {max(times):.1f} | "
              f"{statistics.median(cpu):.1f} | {count} | {rows} | "
              f"{'yes' if WINDOW_NOTICE in body else 'no'} |")
    print("\nThe search statement alone (`search.search()`, kinds and community as the page):\n")
    print("| query | kind | p50, ms | max, ms | CPU p50, ms | hits |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    with app.app_context():
        for query in ("урок", "квиллинг", "функциональная грамотность", "методич", "уро"):
            for kind, limit in (("material", 21), ("post", 30)):
                times, cpu, hits = timed(lambda q=query, k=kind, n=limit: search.search(
                    q, community_ids=[community.id], kinds=[k], limit=n),
                    args.repeat, args.warmup)
                print(f"| «{query}» | {kind} | {statistics.median(times):.1f} | "
                      f"{max(times):.1f} | {statistics.median(cpu):.1f} | {len(hits)} |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
