"""Page-or-partial rendering for htmx (STYLE.md: one URL, two renderings)."""

from __future__ import annotations

import json

from flask import Flask, Response, get_flashed_messages, render_template, request, session


def is_htmx() -> bool:
    """An htmx request that wants a fragment: not boosted navigation, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def _flash_oob() -> str:
    if not session.get("_flashes"):
        return ""
    messages = get_flashed_messages(with_categories=True)
    return render_template("_partials/flash.html", flash_messages=messages, oob=True)


def render(partial: str, page_template: str | None = None, /, **ctx) -> str:
    """The partial (plus pending flashes, out of band) for htmx, else the full page.

    Both templates are positional, so `page` stays free for a pagination context."""
    if page_template is None or is_htmx():
        return render_template(partial, **ctx) + _flash_oob()
    return render_template(page_template, **ctx)


def hx_trigger(response: Response, event: str, detail: object = True) -> Response:
    """Add an event to the HX-Trigger header, keeping events already set."""
    existing = response.headers.get("HX-Trigger")
    events = json.loads(existing) if existing else {}
    events[event] = detail
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=False)
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def add_vary(response: Response) -> Response:
        response.vary.add("HX-Request")
        return response
