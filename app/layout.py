"""The parts of the layout that every page repeats, rendered once per process (issue 10).

The site's header and a community's header with its tabs were rendered anew for every page:
a dozen addresses, translations, permission checks and the notification bell, about a
third of a topic page's rendering. Each is now rendered once for every combination of what
it shows, and reused:

- the site's header: whether the reader is logged in, an administrator, and how many
  unread notifications they have; the reader's profile address and the logout form's CSRF
  token are the only parts that differ between readers, and go into slots;
- a community's header: the community's name, address and parent, which tabs the reader
  may see (the same predicates the template used to call), and the page being shown (the
  current tab).

Everything a fragment shows is in its key, so a change (a renamed community, a new role,
a read notification) is a new key and never a stale fragment; every process renders the
same HTML for the same key.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.communities.models import Community
from app.communities.permissions import can_admit, can_moderate, can_view_inside
from app.governance.dashboard.permissions import can_view_dashboard
from app.moderation.permissions import can_view_moderation_log
from app.notifications.services import unread_count
from app.permissions import is_admin, is_authenticated
from app.ui import url

_SLOT_ID = 987654321  # an id no user has: replaced by the reader's own
_CSRF_SLOT = "\x00csrf-token\x00"


def site_header() -> Markup:
    user = current_user
    if not is_authenticated(user):
        return Markup(_site_header(None, request.script_root))
    html = _site_header((is_admin(user), unread_count(user)), request.script_root)
    return Markup(
        html.replace(_CSRF_SLOT, generate_csrf())
        .replace(url("auth.profile", user_id=_SLOT_ID), url("auth.profile", user_id=user.id))
    )


@lru_cache(maxsize=256)
def _site_header(reader: tuple[bool, int] | None, script_root: str) -> str:
    """`reader`: None for a guest, else (administrator, unread notifications)."""
    html = render_template("_partials/site_header.html",
                           profile_href=url("auth.profile", user_id=_SLOT_ID))
    return html.replace(generate_csrf(), _CSRF_SLOT) if reader is not None else html


def community_header(community: Community) -> Markup:
    user = current_user
    parent = community.parent if community.parent_id is not None else None
    key = (
        community.id, community.slug, community.name,
        (parent.slug, parent.name) if parent is not None else None,
        can_view_inside(user, community), can_view_dashboard(user, community),
        can_admit(user, community), can_moderate(user, community),
        can_view_moderation_log(user, community),
        request.endpoint, request.blueprint, request.script_root,
    )
    html = _community_headers.get(key)
    if html is None:
        if len(_community_headers) >= _COMMUNITY_HEADERS_MAX:
            _community_headers.clear()
        html = _community_headers[key] = render_template("communities/_header.html",
                                                         community=community)
    return Markup(html)


# Keyed by `key` alone: the community object itself would hash by identity, a new one on
# every request; everything of it that the header shows is in the key.
_community_headers: dict[tuple, str] = {}
_COMMUNITY_HEADERS_MAX = 4096


def init_app(app: Flask) -> None:
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.globals["community_header"] = community_header
