"""Template helpers: dom ids and Russian labels."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, g, request, url_for
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.communities import labels

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def dom_id(obj: object, prefix: str = "") -> str:
    """`post-42`: the one source for `id=`, `hx-target` and the tests. A class may name
    itself with `dom_name` (a plain row standing for a model: `MaterialRow` → `material`)."""
    name = getattr(type(obj), "dom_name", None) or _CAMEL.sub("-", type(obj).__name__).lower()
    ident = obj.id
    return f"{prefix}{name}-{ident}"


def ground_label(key: str) -> str:
    """The Russian text of a moderation ground, the community's own grounds included."""
    from flask import g

    from app.moderation.services import label_of_ground

    return label_of_ground(key, g.get("community"))


def url(endpoint: str, **values: object) -> str:
    """`url_for` for the addresses every page repeats (the layout's links, a community's
    tabs): the same result, cached per process under everything it depends on (the
    endpoint, the values, the community of the request and the mount point)."""
    if "_external" in values:  # the host and scheme are not in the cache's key
        raise ValueError("url() builds paths only: use url_for for an external address")
    community = g.get("community")
    return _url(endpoint, tuple(sorted(values.items())),
                community.slug if community is not None else None, request.script_root)


@lru_cache(maxsize=4096)
def _url(endpoint: str, items: tuple, slug: str | None, script_root: str) -> str:
    return url_for(endpoint, **dict(items))


def page_window(current: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, and `around` on each side of
    the current one; None where numbers are left out («…»). A topic of thousands of pages
    gets a dozen links, not thousands."""
    shown = sorted({1, pages, *range(max(1, current - around), min(pages, current + around) + 1)})
    window: list[int | None] = []
    for n in shown:
        last = window[-1] if window else n - 1
        if n - last == 2:  # one number left out: show it rather than «…»
            window.append(n - 1)
        elif n - last > 2:
            window.append(None)
        window.append(n)
    return window


def csrf_input() -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def filesize(size: int) -> str:
    """«512 Б», «34 КБ», «2,5 МБ»."""
    if size < 1024:
        return f"{size} Б"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} КБ"
    return f"{size / 1024 / 1024:.1f} МБ".replace(".", ",")


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["csrf_input"] = csrf_input
    app.jinja_env.globals["dom_id"] = dom_id
    app.jinja_env.globals["url"] = url
    app.jinja_env.globals["page_window"] = page_window
    app.jinja_env.globals["role_titles"] = labels.role_titles
    app.jinja_env.globals["ground_label"] = ground_label
    from app import content

    app.jinja_env.globals["content_type"] = content.content_type
    app.jinja_env.filters["filesize"] = filesize
    from app.materials.labels import LEVEL_LABELS, TYPE_LABELS

    app.jinja_env.filters["material_type"] = lambda v: TYPE_LABELS.get(v, v)
    app.jinja_env.filters["material_level"] = lambda v: LEVEL_LABELS.get(v, v)
    app.jinja_env.filters["kind_label"] = lambda v: labels.KIND_LABELS.get(v, v)
    app.jinja_env.filters["level_label"] = lambda v: labels.LEVEL_LABELS.get(v, v)
    app.jinja_env.filters["policy_label"] = lambda v: labels.JOIN_POLICY_LABELS.get(v, v)
    app.jinja_env.filters["status_label"] = lambda v: labels.STATUS_LABELS.get(v, v)
    app.jinja_env.filters["month_label"] = lambda v: labels.MONTH_LABELS.get(v, v)
