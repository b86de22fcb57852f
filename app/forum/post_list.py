"""The posts of a topic as the page shows them, built for speed (issue 10).

A topic page is the most read page of the platform. Rendering each post with ORM objects,
permission predicates and `url_for` in the template cost several times the page's bare
HTML, so here:

- posts are plain rows (`PostRow`: one query for the posts with their authors, and one more
  for the attachments only when a post on the page has any), not ORM objects;
- what the viewer may do is worked out once per page (`Viewer`), not once per post;
- addresses come from patterns built once per page (`Urls`);
- each post's HTML is cached per process, keyed by everything it is made of: the row itself
  (text, edits, moderation state, author's name), what the viewer may do with it, the time
  zone and the page's addresses. A change to any of them is a new key, so a cached fragment
  is never stale, and every process renders the same HTML for the same key. Fragments with
  a CSRF token (a coordinator's «Восстановить» button) are never cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import g, render_template, request, url_for
from flask_babel import get_timezone
from markupsafe import Markup
from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.communities.permissions import can_write
from app.extensions import db
from app.forum.models import Post, PostAttachment, Topic
from app.forum.permissions import can_moderate_forum, can_reply, group_refusal
from app.permissions import is_authenticated
from app.ui import ground_label
from app.uploads import StoredFile

_SLOT = 987654321  # an id no object has: replaced by each post's own in a pattern


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    id: int
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class PostRow:
    id: int
    number: int
    author_id: int | None
    author_name: str | None
    created_at: datetime
    edited_at: datetime | None
    edit_count: int
    body_html: str
    hidden_at: datetime | None
    held_at: datetime | None
    hidden_reason: str
    attachments: tuple[AttachmentRow, ...] = ()

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_held(self) -> bool:
        return self.held_at is not None and self.hidden_at is None


@dataclass(frozen=True, slots=True)
class Viewer:
    """What the reader may do on this topic's page, worked out once."""

    user_id: int | None
    moderator: bool
    can_reply: bool
    can_edit_own: bool  # writes here: may edit their own visible posts

    def sees(self, row: PostRow) -> bool:
        """Held posts: only the author and the moderators (can_see_post)."""
        if row.held_at is None or row.hidden_at is not None:
            return True
        return self.moderator or (self.user_id is not None and row.author_id == self.user_id)


@dataclass(frozen=True, slots=True)
class Urls:
    """Address patterns of one topic's page: "{}" stands for a post's (or file's) id."""

    profile: str
    post: str
    attachment: str
    quote: str
    edit: str
    edit_target: str
    revisions: str
    report: str
    remove: str
    restore: str


def viewer_of(user: Any, topic: Topic, community: Community) -> Viewer:
    authenticated = is_authenticated(user)
    return Viewer(
        user_id=user.id if authenticated else None,
        moderator=can_moderate_forum(user, community),
        can_reply=can_reply(user, topic),
        can_edit_own=authenticated and can_write(user, community)
        and group_refusal(user, topic.section) is None,
    )


def _pattern(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, **values).replace(str(_SLOT), "{}")


def urls_of(topic: Topic, live_after: int) -> Urls:
    """Built once per process for each topic and position (the community's slug and the
    mount point are in the key: they are in the addresses)."""
    return _urls(g.community.slug, request.script_root, topic.id, live_after)


@lru_cache(maxsize=2048)
def _urls(slug: str, script_root: str, topic_id: int, live_after: int) -> Urls:
    topic = _TopicRef(topic_id)
    return Urls(
        profile=_pattern("auth.profile", user_id=_SLOT),
        post=_pattern("forum.post", post_id=_SLOT),
        attachment=_pattern("forum.attachment", attachment_id=_SLOT),
        quote=_pattern("forum.reply", topic_id=topic.id, quote=_SLOT, after=live_after),
        edit=_pattern("forum.edit_post", post_id=_SLOT),
        edit_target="#post-{}",
        revisions=_pattern("forum.revisions", post_id=_SLOT),
        report=_pattern("moderation.report", kind="post", item_id=_SLOT),
        remove=_pattern("moderation.remove_item", kind="post", item_id=_SLOT),
        restore=_pattern("moderation.restore_item", kind="post", item_id=_SLOT),
    )


_COLUMNS = (Post.id, Post.number, Post.author_id, User.full_name, Post.created_at,
            Post.edited_at, Post.edit_count, Post.body_html, Post.hidden_at, Post.held_at,
            Post.hidden_reason)


def rows_where(*criteria, limit: int | None = None) -> list[PostRow]:
    """Posts as rows, in number order: one query for the posts and their authors, one more
    for the attachments of those that have any."""
    has_files = select(PostAttachment.id).where(PostAttachment.post_id == Post.id).exists()
    found = db.session.execute(
        select(*_COLUMNS, has_files).outerjoin(User, User.id == Post.author_id)
        .where(*criteria).order_by(Post.number).limit(limit)
    ).all()
    with_files = [r[0] for r in found if r[-1]]
    files: dict[int, list[AttachmentRow]] = {}
    if with_files:
        for post_id, attachment_id, name, size in db.session.execute(
            select(PostAttachment.post_id, PostAttachment.id, StoredFile.original_name,
                   StoredFile.size)
            .join(StoredFile, StoredFile.id == PostAttachment.file_id)
            .where(PostAttachment.post_id.in_(with_files))
            .order_by(PostAttachment.id)
        ):
            files.setdefault(post_id, []).append(AttachmentRow(attachment_id, name, size))
    return [PostRow(*r[:-1], attachments=tuple(files.get(r[0], ()))) for r in found]


def page_rows(topic: Topic, first: int, last: int) -> list[PostRow]:
    # The LIMIT tells PostgreSQL's planner that a page is small: without it, it expects
    # thousands of rows for a number range of a long topic and scans all users to join.
    return rows_where(Post.topic_id == topic.id, Post.number.between(first, last),
                      limit=last - first + 1)


def render_posts(rows: list[PostRow], viewer: Viewer, urls: Urls,
                 last_read: int = 0) -> Markup:
    """The posts' HTML, each fragment from the cache when it has been made before."""
    zone = str(get_timezone())
    parts = []
    for row in rows:
        if not viewer.sees(row):
            continue
        is_author = viewer.user_id is not None and row.author_id == viewer.user_id
        unread = 0 < last_read < row.number
        hidden_label = ground_label(row.hidden_reason) if row.is_hidden else ""
        variant = (viewer.moderator, viewer.can_reply, viewer.can_edit_own, is_author, unread)
        if viewer.moderator and row.is_hidden:
            # The restore button carries the session's CSRF token: not shareable.
            parts.append(_render(row, variant, zone, urls, hidden_label))
        else:
            parts.append(_cached(row, variant, zone, urls, hidden_label))
    return Markup("".join(parts))


def _render(row: PostRow, variant: tuple, zone: str, urls: Urls, hidden_label: str) -> str:
    moderator, can_reply_, can_edit_own, is_author, unread = variant
    return render_template(
        "forum/_post.html", post=row, urls=urls, moderator=moderator, can_quote=can_reply_
        and not row.is_hidden, can_edit=can_edit_own and is_author and not row.is_hidden,
        is_author=is_author, unread=unread, hidden_label=hidden_label,
    )


@lru_cache(maxsize=4096)
def _cached(row: PostRow, variant: tuple, zone: str, urls: Urls, hidden_label: str) -> str:
    """`zone` is in the key: the template formats times in the request's zone."""
    return _render(row, variant, zone, urls, hidden_label)


# --- the empty reply form ------------------------------------------------------------------

_CSRF_SLOT = "\x00csrf-token\x00"


def blank_reply_form(topic: Topic, after: int) -> Markup:
    """The topic page's empty reply form. Its HTML is the same for every reader of the page
    but for the session's CSRF token, so it is cached with a slot where the token goes."""
    from flask_wtf.csrf import generate_csrf

    html = _blank_form(g.community.slug, topic.id, after)
    return Markup(html.replace(_CSRF_SLOT, generate_csrf()))


@lru_cache(maxsize=2048)
def _blank_form(slug: str, topic_id: int, after: int) -> str:
    """Rendered once per community, topic and last post shown; the token of the request
    that rendered it is taken out."""
    from flask_wtf.csrf import generate_csrf

    from app.forum.forms import ReplyForm

    html = render_template("forum/_reply_form.html", topic=_TopicRef(topic_id),
                           reply_form=ReplyForm(formdata=None, after=str(after)))
    return html.replace(generate_csrf(), _CSRF_SLOT)


@dataclass(frozen=True, slots=True)
class _TopicRef:
    """All the reply form needs of its topic: the id in its address."""

    id: int
