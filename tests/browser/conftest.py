"""Real-browser tests: Playwright for Python driving Debian's Chromium against the app served
on a free port of 127.0.0.1. No tool downloads a browser; without /usr/bin/chromium the tests
are skipped and `make test` says so."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

if not Path(CHROMIUM).exists():
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped",
        allow_module_level=True,
    )

from playwright.sync_api import Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="session")
def live_server(app):
    """The test app on a free port, in a thread; CSRF on, as in production."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Problems:
    """Console errors, page errors and failed requests seen by one page."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", lambda m: m.type == "error" and self.items.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.items.append(f"pageerror: {e}"))


@pytest.fixture
def new_page(browser, live_server):
    """`new_page()` opens a page in a fresh browser context (its own cookies). At the end of
    the test no page may have logged a JavaScript error or a CSP violation, except the
    expected HTTP error statuses that a test provokes itself."""
    contexts = []
    problems = Problems()

    def make(bypass_csp: bool = False) -> Page:
        context = browser.new_context(
            base_url=live_server, locale="ru-RU", timezone_id="Europe/Moscow",
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        return page

    make.problems = problems  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()
    unexpected = [p for p in problems.items if "status of 4" not in p]
    assert not unexpected, "\n".join(unexpected)


def login(page: Page, email: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def mark_document(page: Page) -> None:
    """Put a marker on the window: it survives htmx swaps and is lost on a full reload."""
    page.evaluate("window.__noReload = 'still-here'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__noReload") == "still-here", "the page was reloaded"
