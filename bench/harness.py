"""The pieces of bench/run.py: gunicorn servers, HTTP log-in, wrk, worker memory, the sign-up
storm and py-spy profiles. Standard library only (plus wrk and py-spy as programs), so that
tests/test_bench.py can use them at a tiny size."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
# Flask-Login's session protection hashes the address and the User-Agent: the load generator
# sends the same one as the log-in, or every request would rewrite the session cookie.
USER_AGENT = "soobshchestvo-bench/1"
REPORT_LUA = Path(__file__).resolve().parent / "report.lua"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_HX_CSRF = re.compile(r'"X-CSRFToken":\s*"([^"]+)"')


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- gunicorn -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GunicornSettings:
    """The same for the app and the bare page."""

    workers: int
    worker_class: str = "sync"
    threads: int = 1
    timeout: int = 120
    backlog: int = 2048

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class,
                "--timeout", str(self.timeout), "--backlog", str(self.backlog)]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args

    def describe(self) -> str:
        threads = f", {self.threads} threads each" if self.worker_class == "gthread" else ""
        return (f"{self.workers} `{self.worker_class}` workers{threads}, timeout "
                f"{self.timeout} s, backlog {self.backlog}, no access log, no `--preload`; "
                f"`gunicorn {' '.join(self.args())} --bind {HOST}:PORT MODULE:app`")


class Server:
    """A gunicorn master started by us, its workers, and a clean stop."""

    def __init__(self, module: str, settings: GunicornSettings, env: dict[str, str] | None = None,
                 log: Path | None = None, port: int | None = None) -> None:
        self.module = module
        self.settings = settings
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, ready_path: str = "/", timeout: float = 60) -> Server:
        command = [str(BIN / "gunicorn"), f"{self.module}:app", "--bind", f"{HOST}:{self.port}",
                   *self.settings.args(), "--log-level", "warning"]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        finally:
            if self.log:
                out.close()  # the child has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.module} exited with {self.process.returncode}"
                                   + (f"; see {self.log}" if self.log else ""))
            if len(self.worker_pids()) >= self.settings.workers:
                try:
                    status, _, _ = request(self.port, "GET", ready_path, timeout=10)
                    if status < 500:
                        return self
                except OSError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn {self.module} did not start in {timeout} s")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def rss(self) -> dict[int, int]:
        """VmRSS of each worker, in KiB."""
        return {pid: kb for pid in self.worker_pids() if (kb := rss_kib(pid)) is not None}

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: finishes what wrk left queued
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc/<n>/stat)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after the last ")"
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _process_cpu(pid: int) -> tuple[int, str] | None:
    """(utime + stime in clock ticks, comm) of a process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12]), comm


def _machine_ticks() -> tuple[int, int]:
    """(busy, idle) clock ticks of all CPUs since boot, from /proc/stat; busy without
    interrupt time, with the time the hypervisor gave to other machines (steal)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, _irq, _softirq, steal = (values + [0] * 8)[:8]
    return user + nice + system + steal, idle + iowait


class CpuMeter:
    """Who used the CPUs during a run, in cores on average: our servers and wrk, the
    database server (processes named postgres, when it is ours), and everything else on the
    machine. Others' work above a few tenths of a core makes the figures of that run
    unreliable. Interrupt time (the loopback network's softirqs, caused by our own load) is
    left out: it belongs to no process."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, servers: list[Server], postgres: bool = False) -> None:
        self.servers = servers
        self.postgres = postgres  # on SQLite runs, PostgreSQL's work is others' work

    def _processes(self) -> tuple[dict[int, int], dict[int, int]]:
        """CPU ticks of our server processes and of the database server's, by pid."""
        ours = {}
        for server in self.servers:
            if server.process is None:
                continue
            for pid in (server.process.pid, *server.worker_pids()):
                if (found := _process_cpu(pid)) is not None:
                    ours[pid] = found[0]
        database = {}
        if self.postgres:
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit() and (found := _process_cpu(int(entry.name))):
                    if found[1] == "postgres":
                        database[int(entry.name)] = found[0]
        return ours, database

    @staticmethod
    def _children() -> int:
        """Ticks of this process's finished children (wrk)."""
        times = os.times()
        return round((times.children_user + times.children_system) * CpuMeter.TICK)

    def start(self) -> CpuMeter:
        self.started = time.monotonic()
        self.machine = _machine_ticks()
        self.ours, self.database = self._processes()
        self.children = self._children()
        return self

    def stop(self) -> dict[str, float]:
        """Cores on average: «servers» (our gunicorn masters and workers), «wrk» (finished
        children of this process), «database», «others», «idle»; and the CPU seconds of the
        servers and of the database («servers_s», «database_s»)."""
        seconds = time.monotonic() - self.started
        busy, idle = _machine_ticks()
        ours, database = self._processes()
        # per process: a process gone by the end counts nothing, a new one all of its time
        servers = sum(t - self.ours.get(pid, 0) for pid, t in ours.items())
        wrk = self._children() - self.children
        db_used = sum(t - self.database.get(pid, 0) for pid, t in database.items())
        scale = self.TICK * seconds if seconds else 1
        return {"servers": servers / scale, "wrk": wrk / scale, "database": db_used / scale,
                "others": max(0, busy - self.machine[0] - servers - wrk - db_used) / scale,
                "idle": (idle - self.machine[1]) / scale,
                "servers_s": servers / self.TICK, "database_s": db_used / self.TICK}


def wait_until_quiet(servers: list[Server], *, postgres: bool, limit: float,
                     threshold: float = 0.3, window: float = 3.0, echo=print) -> float:
    """Wait (at most `limit` seconds) until other work on the machine takes less than
    `threshold` cores over a `window`; the seconds waited."""
    started = time.monotonic()
    told = -30.0
    while True:
        meter = CpuMeter(servers, postgres=postgres).start()
        time.sleep(window)
        others = meter.stop()["others"]
        waited = time.monotonic() - started
        if others < threshold:
            return waited
        if waited >= limit:
            echo(f"   the machine is still busy (others use {others:.1f} cores): measuring")
            return waited
        if waited - told >= 30:
            echo(f"   waiting: other work uses {others:.1f} cores")
            told = waited


# --- HTTP -----------------------------------------------------------------------------------


def request(port: int, method: str, path: str, *, cookie: str = "", body: str | None = None,
            headers: dict[str, str] | None = None,
            timeout: float = 60) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body.encode() if body is not None else None,
                     headers=sent)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def merge_cookies(cookie: str, headers: http.client.HTTPMessage) -> str:
    """The Cookie header after the response's Set-Cookie headers."""
    jar = SimpleCookie()
    if cookie:
        jar.load(cookie)
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items() if morsel.value)


def csrf_token(html: str) -> str:
    match = _CSRF.search(html) or _HX_CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def login(port: int, email: str, password: str) -> str:
    """Log in with a real POST of the login form; the session's Cookie header."""
    status, headers, body = request(port, "GET", "/auth/login")
    if status != 200:
        raise RuntimeError(f"GET /auth/login: {status}")
    cookie = merge_cookies("", headers)
    form = urlencode({"csrf_token": csrf_token(body.decode()), "email": email,
                      "password": password, "next": ""})
    status, headers, body = request(port, "POST", "/auth/login", cookie=cookie, body=form)
    if status not in (302, 303):
        raise RuntimeError(f"log-in of {email} failed: {status}")
    return merge_cookies(cookie, headers)


# --- wrk ------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    url: str
    seconds: float
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)
    bytes_min: int = 0
    bytes_max: int = 0
    unmarked: int = 0
    queries_min: int | None = None
    queries_max: int | None = None
    queries_mean: float | None = None
    raw: str = ""

    @property
    def bad(self) -> int:
        """Responses that were not 200, those without the marker, and socket errors."""
        wrong = sum(n for code, n in self.statuses.items() if code != "200")
        return wrong + self.unmarked + sum(self.socket_errors.values())

    def queries(self) -> str:
        if self.queries_min is None:
            return "–"
        if self.queries_min == self.queries_max:
            return str(self.queries_min)
        return f"{self.queries_min}–{self.queries_max}"


def wrk_path() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed: apt-get install wrk (make bench does it)")
    return found


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(text)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    return float(match[1]) * scale[match[2]]


def parse_wrk(output: str, url: str, seconds: float) -> WrkResult:
    result = WrkResult(url=url, seconds=seconds, raw=output)
    for line in output.splitlines():
        line = line.strip()
        if match := re.match(r"(\d+) requests in", line):
            result.requests = int(match[1])
        elif match := re.match(r"Requests/sec:\s+([\d.]+)", line):
            result.rps = float(match[1])
        elif match := re.match(r"50(?:\.0+)?%\s+(\S+)", line):
            result.p50_ms = _duration_ms(match[1])
        elif match := re.match(r"99(?:\.0+)?%\s+(\S+)", line):
            result.p99_ms = _duration_ms(match[1])
        elif line.startswith("Socket errors:"):
            result.socket_errors = {k: int(v) for k, v in re.findall(r"(\w+) (\d+)", line)}
        elif line.startswith("BENCH-JSON "):
            data = json.loads(line[len("BENCH-JSON "):])
            result.statuses = data["statuses"]
            result.bytes_min, result.bytes_max = data["bytes_min"], data["bytes_max"]
            result.unmarked = data["unmarked"]
            if data["queries_n"]:
                result.queries_min, result.queries_max = data["queries_min"], data["queries_max"]
                result.queries_mean = data["queries_sum"] / data["queries_n"]
    return result


def run_wrk(url: str, *, seconds: float, cookie: str = "", marker: str = "",
            connections: int = 16, threads: int = 2, timeout_s: int = 10) -> WrkResult:
    """`wrk -c 16 -t 2 -d <seconds> --latency` with the session cookie and bench/report.lua."""
    command = [wrk_path(), "-c", str(connections), "-t", str(threads), "-d", f"{seconds:g}s",
               "--latency", "--timeout", f"{timeout_s}s", "-s", str(REPORT_LUA),
               "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [url, "--", marker]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          timeout=seconds + 120)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout, url, seconds)


def start_wrk(url: str, *, seconds: float, cookie: str = "", marker: str = "",
              connections: int = 16, threads: int = 2) -> subprocess.Popen:
    """The same in the background (the soak); parse its stdout with parse_wrk."""
    command = [wrk_path(), "-c", str(connections), "-t", str(threads), "-d", f"{seconds:g}s",
               "--latency", "--timeout", "10s", "-s", str(REPORT_LUA),
               "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command += [url, "--", marker]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# --- the sign-up storm ----------------------------------------------------------------------


@dataclass
class StormResult:
    users: int
    statuses: Counter
    latencies_ms: list[float]
    errors: list[str]
    spread_ms: float  # from the first request sent to the last one sent

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if isinstance(code, int) and code >= 500)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 99)


def prepare_sessions(port: int, accounts: list[tuple[str, str]], page: str,
                     parallel: int = 8) -> list[tuple[str, str]]:
    """Log each (email, password) in and read a CSRF token from `page` with its session:
    [(cookie, token)], in the order of `accounts`."""

    def one(account: tuple[str, str]) -> tuple[str, str]:
        cookie = login(port, *account)
        status, headers, body = request(port, "GET", page, cookie=cookie)
        if status != 200:
            raise RuntimeError(f"GET {page} as {account[0]}: {status}")
        return merge_cookies(cookie, headers), csrf_token(body.decode())

    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(one, accounts))


def storm(port: int, path: str, sessions: list[tuple[str, str]],
          timeout: float = 120) -> StormResult:
    """Every session POSTs `path` (a button form: only the CSRF token) at the same moment:
    one thread and one open connection each, released together by a barrier."""
    count = len(sessions)
    barrier = threading.Barrier(count)
    statuses: Counter = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    sent_at: list[float] = []
    lock = threading.Lock()

    def one(cookie: str, token: str) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        body = urlencode({"csrf_token": token}).encode()
        headers = {"User-Agent": USER_AGENT, "Cookie": cookie,
                   "Content-Type": "application/x-www-form-urlencoded"}
        try:
            conn.connect()
            barrier.wait(timeout)
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            took = (time.perf_counter() - started) * 1000
            with lock:
                statuses[response.status] += 1
                latencies.append(took)
                sent_at.append(started)
        except Exception as error:  # noqa: BLE001  (counted and reported, never hidden)
            with lock:
                statuses["error"] += 1
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=s) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 30)
    spread = (max(sent_at) - min(sent_at)) * 1000 if sent_at else 0.0
    return StormResult(count, statuses, latencies, errors, spread)


# --- memory over time and profiles ----------------------------------------------------------


def soak(server: Server, url: str, *, seconds: int, every: int, cookie: str, marker: str,
         echo=print) -> tuple[WrkResult, list[tuple[float, dict[int, int]]]]:
    """wrk for `seconds` while sampling the workers' RSS every `every` seconds."""
    process = start_wrk(url, seconds=seconds, cookie=cookie, marker=marker)
    started = time.monotonic()
    samples = [(0.0, server.rss())]
    while process.poll() is None:
        time.sleep(max(0.0, every - (time.monotonic() - started) % every))
        if process.poll() is not None:
            break
        samples.append((time.monotonic() - started, server.rss()))
        total = sum(samples[-1][1].values()) / 1024
        echo(f"  soak {samples[-1][0]:5.0f} s: workers' RSS {total:.1f} MiB")
    output = process.stdout.read() if process.stdout else ""
    samples.append((time.monotonic() - started, server.rss()))
    return parse_wrk(output, url, seconds), samples


def pyspy_path() -> str | None:
    return shutil.which("py-spy", path=f"{BIN}:{os.environ.get('PATH', '')}")


def pyspy_record(pid: int, seconds: int, out: Path, fmt: str) -> subprocess.Popen:
    """py-spy sampling one worker (100 Hz, without pausing it)."""
    return subprocess.Popen(
        [pyspy_path() or "py-spy", "record", "--pid", str(pid), "--duration", str(seconds),
         "--rate", "100", "--nonblocking", "--format", fmt, "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^():]+)(?::\d+)?\)$")


def _frame_key(frame: str) -> str:
    """«render (flask/templating.py:150)» → «render (flask/templating.py)»."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for cut in ("site-packages/", str(ROOT) + "/"):
        if cut in path:
            path = path.split(cut, 1)[1]
    return f"{match['name']} ({path})"


DATABASE_AREA = "database calls (SQLite's own work; PostgreSQL: mostly waiting for it)"
AREAS = [
    # Time inside the driver's C code (SQLite runs the query there) is sampled in the Python
    # frame that called it: SQLAlchemy's do_execute and its fetch functions. psycopg's time
    # is mostly waiting for the PostgreSQL server's answer.
    (DATABASE_AREA,
     ("do_execute (", "do_executemany (", "CursorFetchStrategy.fetch", "_fetchall_impl (",
      "_fetchone_impl (", "_fetchmany_impl (", "sqlite3/", "psycopg/", "psycopg_binary/")),
    ("SQLAlchemy (ORM, Core, result rows)", ("sqlalchemy/",)),
    ("Jinja templates (rendering)", ("templates/", "jinja2/", "markupsafe/")),
    ("Babel / Flask-Babel", ("babel/", "flask_babel/")),
    ("WTForms / Flask-WTF", ("wtforms/", "flask_wtf/")),
    ("Flask / Werkzeug / gunicorn", ("flask/", "werkzeug/", "gunicorn/", "flask_login/",
                                     "flask_limiter/", "itsdangerous/")),
    ("app/ code", ("(app/",)),
]


def _area(key: str) -> str:
    if key.endswith(".html)"):  # a compiled template's own code: «root (base.html)»
        return "Jinja templates (rendering)"
    for name, needles in AREAS:
        if any(n in key for n in needles):
            return name
    return "other (stdlib, …)"


def summarise_profile(raw: str, top: int = 15) -> dict:
    """From py-spy's raw (collapsed) output: the top functions by own (self) time, the
    project's functions and templates by total time, and own time per area (SQLAlchemy, the
    database calls, Jinja, …); shares in % of the samples."""
    own: Counter = Counter()
    total: Counter = Counter()
    areas: Counter = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        frames = [_frame_key(f) for f in stack.split(";")]
        # the thread and process names py-spy puts first are not frames
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        own[frames[-1]] += n
        areas[_area(frames[-1])] += n
        for key in set(frames):
            total[key] += n
    def share(counter):
        return [(key, n / samples * 100) for key, n in counter.most_common(top)] if samples \
            else []

    # Total time only for the project's own code (app/, templates): gunicorn's and Flask's
    # frames are on every stack and would fill the list.
    ours = Counter({k: v for k, v in total.items() if "(app/" in k or k.endswith(".html)")})
    return {"samples": samples, "own": share(own), "total": share(ours),
            "areas": share(areas)}
