"""Forum actions. Each takes the actor, checks the rules, raises DomainError in Russian,
flushes and returns; the view commits once."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import url_for
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from app import search
from app.auth.models import User
from app.communities.models import Community, Membership
from app.communities.services import ensure_can_write
from app.errors import DomainError
from app.extensions import db
from app.forum.models import (
    Post,
    PostAttachment,
    PostRevision,
    Section,
    Topic,
    TopicRead,
    TopicWatch,
)
from app.mixins import utcnow
from app.moderation import services as moderation
from app.notifications.services import notify, notify_many
from app.permissions import has_role, is_admin
from app.sanitize import markdown_to_text, render_markdown
from app.uploads import save_uploads

TITLE_MAX = 200
BODY_MAX = 20_000
POSTS_PER_PAGE = 20

# `@[Фамилия Имя]` mentions a member of the community.
MENTION = re.compile(r"@\[([^\]\n]{2,120})\]")


# --- checks ----------------------------------------------------------------------------


def _check_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError("Сообщение не может быть пустым.", field="body")
    if len(body) > BODY_MAX:
        raise DomainError(
            f"Сообщение длиннее {BODY_MAX:,} символов.".replace(",", " "), field="body"
        )
    return body


def _check_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError("Укажите заголовок темы.", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(f"Заголовок длиннее {TITLE_MAX} символов.", field="title")
    return title


def is_forum_moderator(user: User, community: Community) -> bool:
    return is_admin(user) or has_role(user, community, "coordinator")


def may_post_announcements(user: User, community: Community) -> bool:
    return is_admin(user) or has_role(user, community, "coordinator", "chair")


def _check_group(section: Section, user: User) -> None:
    """A working group's section: only its members write, and nobody once it is archived."""
    from app.forum.permissions import group_refusal

    refusal = group_refusal(user, section)
    if refusal:
        raise DomainError(refusal)


def _readers(section: Section, user_ids: Sequence[int]) -> list[int]:
    """Those of `user_ids` who may see `section` (a working group's: its members who are
    still in the community, the coordinators, the administrators); all for other sections."""
    if section.group_id is None or not user_ids:
        return list(user_ids)
    from app.governance.groups.models import WorkingGroupMember

    members = select(WorkingGroupMember.user_id).join(
        Membership, Membership.user_id == WorkingGroupMember.user_id
    ).where(
        WorkingGroupMember.group_id == section.group_id,
        Membership.community_id == section.community_id, Membership.left_at.is_(None),
    )
    coordinators = select(Membership.user_id).where(
        Membership.community_id == section.community_id, Membership.left_at.is_(None),
        Membership.role == "coordinator",
    )
    admins = select(User.id).where(User.is_admin)
    allowed = set(db.session.scalars(
        select(User.id).where(
            User.id.in_(list(user_ids)),
            User.id.in_(members) | User.id.in_(coordinators) | User.id.in_(admins),
        )
    ))
    return [uid for uid in user_ids if uid in allowed]


# --- sections --------------------------------------------------------------------------


def create_section(
    community: Community, actor: User, *, title: str, description: str, is_announcements: bool
) -> Section:
    if not is_forum_moderator(actor, community):
        raise DomainError("Разделы форума создаёт координатор.")
    title = _check_title(title)
    last = db.session.scalar(
        select(func.max(Section.position)).where(Section.community_id == community.id)
    )
    section = Section(
        community_id=community.id, title=title, description=(description or "").strip(),
        is_announcements=is_announcements, position=(last or 0) + 1,
    )
    db.session.add(section)
    db.session.flush()
    return section


def update_section(
    section: Section, actor: User, *, title: str, description: str, is_announcements: bool
) -> Section:
    if not is_forum_moderator(actor, section.community):
        raise DomainError("Разделы форума изменяет координатор.")
    if section.group_id is not None:
        raise DomainError(GROUP_SECTION_EDIT)
    section.title = _check_title(title)
    section.description = (description or "").strip()
    section.is_announcements = is_announcements
    db.session.flush()
    return section


GROUP_SECTION_EDIT = ("Раздел рабочей группы меняется вместе с группой: "
                      "название и цель правятся на странице группы.")


def open_group_section(community: Community, group_id: int, *, title: str,
                       description: str) -> Section:
    """The forum section of a new working group (the group's service checked the actor)."""
    last = db.session.scalar(
        select(func.max(Section.position)).where(Section.community_id == community.id)
    )
    section = Section(
        community_id=community.id, group_id=group_id, title=_check_title(title),
        description=description[:500], is_announcements=False, position=(last or 0) + 1,
    )
    db.session.add(section)
    db.session.flush()
    return section


def retitle_group_section(section: Section, *, title: str, description: str) -> Section:
    """The group was renamed or its goal changed: its section follows."""
    section.title = _check_title(title)
    section.description = description[:500]
    db.session.flush()
    return section


def move_section(section: Section, actor: User, direction: int) -> Section:
    """Swap with the neighbour above (-1) or below (+1)."""
    if not is_forum_moderator(actor, section.community):
        raise DomainError("Порядок разделов меняет координатор.")
    order = Section.position.desc() if direction < 0 else Section.position
    cmp = Section.position < section.position if direction < 0 else (
        Section.position > section.position
    )
    neighbour = db.session.scalar(
        select(Section)
        .where(Section.community_id == section.community_id, cmp)
        .order_by(order)
        .limit(1)
    )
    if neighbour is not None:
        section.position, neighbour.position = neighbour.position, section.position
        db.session.flush()
    return section


# --- writing ---------------------------------------------------------------------------


def _mentioned_users(community: Community, body: str, author: User) -> dict[str, User]:
    """`@[Name]` → the community's member with that full name, in any letter case. (SQLite's
    lower() knows only ASCII, so names are compared in Python; this runs only when the text
    has a mention.)"""
    names = {" ".join(m.split()).casefold() for m in MENTION.findall(body)}
    if not names:
        return {}
    members = db.session.execute(
        select(User.id, User.full_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community.id, Membership.left_at.is_(None))
    ).all()
    ids = [uid for uid, name in members
           if " ".join(name.split()).casefold() in names and uid != author.id]
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return {" ".join(u.full_name.split()).casefold(): u for u in users}


def _render(body: str, mentioned: dict[str, User]) -> str:
    """Markdown → safe HTML, with `@[Name]` of a member turned into a link to the profile."""

    def link(match: re.Match) -> str:
        user = mentioned.get(" ".join(match.group(1).split()).casefold())
        if user is None:
            return match.group(0)
        name = user.full_name.replace("[", "").replace("]", "")
        return f"[@{name}]({url_for('auth.profile', user_id=user.id, _external=False)})"

    return render_markdown(MENTION.sub(link, body))


def _add_post(topic: Topic, author: User, body: str, files: Sequence[FileStorage],
              title_for_screening: str = "") -> Post:
    community = topic.section.community
    screening = moderation.screen(community, author, title_for_screening, body)
    mentioned = _mentioned_users(community, body, author)
    now = utcnow()
    stored_files = save_uploads(list(files), author)  # refuses bad files before anything else
    number = db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(post_count=Topic.post_count + 1)
        .returning(Topic.post_count)
    ).scalar_one()
    post = Post(
        topic_id=topic.id, community_id=topic.community_id, number=number,
        author_id=author.id, body=body, body_html=_render(body, mentioned), created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    moderation.apply_screening(post, screening)
    for stored in stored_files:
        db.session.add(PostAttachment(post_id=post.id, file_id=stored.id))
    db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(last_post_at=now, last_post_id=post.id, last_author_id=author.id)
    )
    db.session.execute(
        update(Section)
        .where(Section.id == topic.section_id)
        .values(post_count=Section.post_count + 1, last_post_at=now, last_topic_id=topic.id)
    )
    search.index_document(
        "post", post.id, topic.community_id, topic.title, markdown_to_text(body)
    )
    _watch(topic, author)
    url = url_for("forum.post", post_id=post.id, community_slug=community.slug)
    if post.held_at is not None:  # nobody is told about a post that waits for review
        mentioned = {}
    if topic.section.group_id is not None:  # only those who may read it are told
        readers = set(_readers(topic.section, [u.id for u in mentioned.values()]))
        mentioned = {k: u for k, u in mentioned.items() if u.id in readers}
    for user in mentioned.values():
        notify(user, "reply", f"{author.full_name} упомянул(а) вас в теме «{topic.title}».", url)
    watchers = db.session.scalars(
        select(TopicWatch.user_id).where(
            TopicWatch.topic_id == topic.id,
            TopicWatch.user_id != author.id,
            TopicWatch.user_id.not_in([u.id for u in mentioned.values()] or [0]),
        )
    ).all()
    watchers = _readers(topic.section, watchers)
    if number > 1 and watchers and post.held_at is None:
        notify_many(
            watchers, "reply", f"Новый ответ в теме «{topic.title}»: {author.full_name}.", url
        )
    db.session.flush()
    db.session.refresh(topic)
    return post


def create_topic(
    section: Section, author: User, *, title: str, body: str,
    files: Sequence[FileStorage] = (),
) -> Topic:
    community = section.community
    ensure_can_write(author, community)
    _check_group(section, author)
    if section.is_announcements and not may_post_announcements(author, community):
        raise DomainError("В разделе объявлений пишут только координаторы и председатель.")
    title = _check_title(title)
    body = _check_body(body)
    topic = Topic(
        section_id=section.id, community_id=community.id, title=title, author_id=author.id,
        post_count=0, last_post_at=utcnow(),
    )
    db.session.add(topic)
    db.session.flush()
    db.session.execute(
        update(Section).where(Section.id == section.id).values(topic_count=Section.topic_count + 1)
    )
    post = _add_post(topic, author, body, files, title_for_screening=title)
    search.index_document("topic", topic.id, community.id, title, markdown_to_text(body))
    if section.is_announcements and post.held_at is None:
        members = db.session.scalars(
            select(Membership.user_id).where(
                Membership.community_id == community.id,
                Membership.left_at.is_(None),
                Membership.user_id != author.id,
            )
        ).all()
        notify_many(
            members, "announcement", f"Объявление в «{community.name}»: {title}",
            url_for("forum.topic", topic_id=topic.id, community_slug=community.slug),
        )
    del post
    return topic


def reply(topic: Topic, author: User, body: str, files: Sequence[FileStorage] = ()) -> Post:
    community = topic.section.community
    ensure_can_write(author, community)
    _check_group(topic.section, author)
    if topic.is_closed and not is_forum_moderator(author, community):
        raise DomainError("Тема закрыта: новые ответы не принимаются.")
    if topic.section.is_announcements and not may_post_announcements(author, community):
        raise DomainError("В разделе объявлений пишут только координаторы и председатель.")
    return _add_post(topic, author, _check_body(body), files)


def edit_post(post: Post, editor: User, body: str) -> Post:
    community = post.topic.section.community
    if post.author_id != editor.id:
        raise DomainError("Изменять сообщение может только его автор.")
    ensure_can_write(editor, community)
    _check_group(post.topic.section, editor)
    if post.is_hidden:
        raise DomainError("Сообщение удалено координатором; изменить его нельзя.")
    body = _check_body(body)
    if body == post.body:
        return post
    screening = moderation.screen(community, editor, body)
    db.session.add(
        PostRevision(
            post_id=post.id, body=post.body, body_html=post.body_html,
            written_at=post.edited_at or post.created_at, editor_id=editor.id,
        )
    )
    post.body = body
    post.body_html = _render(body, _mentioned_users(community, body, editor))
    post.edited_at = utcnow()
    post.edit_count += 1
    if post.held_at is None:
        moderation.apply_screening(post, screening)
    search.index_document(
        "post", post.id, post.community_id, post.topic.title, markdown_to_text(body)
    )
    if post.number == 1:
        search.index_document(
            "topic", post.topic_id, post.community_id, post.topic.title, markdown_to_text(body)
        )
    db.session.flush()
    return post


def revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision).where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id.desc())
        )
    )


# --- moderation of topics --------------------------------------------------------------


def _require_moderator(actor: User, topic: Topic) -> None:
    if not is_forum_moderator(actor, topic.section.community):
        raise DomainError("Это действие доступно координатору сообщества.")


def set_pinned(topic: Topic, actor: User, pinned: bool) -> Topic:
    _require_moderator(actor, topic)
    topic.is_pinned = pinned
    db.session.flush()
    return topic


def set_closed(topic: Topic, actor: User, closed: bool) -> Topic:
    _require_moderator(actor, topic)
    topic.is_closed = closed
    db.session.flush()
    return topic


def rename_topic(topic: Topic, actor: User, title: str) -> Topic:
    _require_moderator(actor, topic)
    topic.title = _check_title(title)
    first = db.session.scalar(Post.in_topic(topic).limit(1))
    search.index_document(
        "topic", topic.id, topic.community_id, topic.title,
        markdown_to_text(first.body) if first else "",
    )
    db.session.flush()
    return topic


def move_topic(topic: Topic, actor: User, section: Section) -> Topic:
    _require_moderator(actor, topic)
    if section.community_id != topic.community_id:
        raise DomainError("Тему можно перенести только в раздел этого же сообщества.")
    if section.id == topic.section_id:
        return topic
    if section.group_id is not None or topic.section.group_id is not None:
        raise DomainError("Темы рабочей группы остаются в её разделе, а другие темы нельзя "
                          "перенести в раздел рабочей группы: их увидели бы не те люди.")
    old = topic.section_id
    db.session.execute(
        update(Section).where(Section.id == old).values(
            topic_count=Section.topic_count - 1, post_count=Section.post_count - topic.post_count
        )
    )
    db.session.execute(
        update(Section).where(Section.id == section.id).values(
            topic_count=Section.topic_count + 1, post_count=Section.post_count + topic.post_count
        )
    )
    topic.section_id = section.id
    db.session.flush()
    db.session.expire(topic, ["section"])
    return topic


def latest_announcements(community: Community, limit: int = 3) -> list[Topic]:
    """The newest topics of the community's announcement sections, for its home page."""
    return list(
        db.session.scalars(
            select(Topic)
            .join(Section, Section.id == Topic.section_id)
            .where(Section.community_id == community.id, Section.is_announcements,
                   Section.group_id.is_(None),
                   Topic.held_at.is_(None), Topic.hidden_at.is_(None))
            .order_by(Topic.created_at.desc(), Topic.id.desc())
            .limit(limit)
        )
    )


# --- reading ---------------------------------------------------------------------------


def _watch(topic: Topic, user: User) -> None:
    exists = db.session.get(TopicWatch, (user.id, topic.id))
    if exists is None:
        db.session.add(TopicWatch(user_id=user.id, topic_id=topic.id))


def set_watching(topic: Topic, user: User, watching: bool) -> bool:
    if watching:
        _watch(topic, user)
    else:
        db.session.execute(
            delete(TopicWatch).where(TopicWatch.user_id == user.id, TopicWatch.topic_id == topic.id)
        )
    db.session.flush()
    return watching


def is_watching(topic: Topic, user: User) -> bool:
    return db.session.get(TopicWatch, (user.id, topic.id)) is not None


def _reader_columns(topic_id, user: User) -> tuple:
    read = (select(TopicRead.last_read_number)
            .where(TopicRead.user_id == user.id, TopicRead.topic_id == topic_id)
            .scalar_subquery())
    watching = (select(TopicWatch.user_id)
                .where(TopicWatch.user_id == user.id, TopicWatch.topic_id == topic_id)
                .exists())
    return read, watching


def reader_state(topic: Topic, user: User) -> tuple[int, bool]:
    """How far the reader has read the topic and whether they watch it, in one query."""
    known, watched = db.session.execute(select(*_reader_columns(topic.id, user))).one()
    return known or 0, bool(watched)


def topic_with_reader_state(topic_id: int, user: User) -> tuple[Topic | None, int, bool]:
    """The topic with its section, and `reader_state`, in one query: the topic page."""
    found = db.session.execute(
        select(Topic, *_reader_columns(Topic.id, user))
        .options(joinedload(Topic.section)).where(Topic.id == topic_id)
    ).one_or_none()
    if found is None:
        return None, 0, False
    topic, known, watched = found
    return topic, known or 0, bool(watched)


def last_read(topic: Topic, user: User) -> int:
    read = db.session.get(TopicRead, (user.id, topic.id))
    return read.last_read_number if read else 0


def mark_read(topic: Topic, user: User, number: int, known: int | None = None) -> bool:
    """Move the reader's position forward; write nothing when it has not changed.
    Returns whether anything was written."""
    known = last_read(topic, user) if known is None else known
    if number <= known:
        return False
    if known == 0 and db.session.get(TopicRead, (user.id, topic.id)) is None:
        db.session.execute(
            insert(TopicRead).values(user_id=user.id, topic_id=topic.id, last_read_number=number)
        )
    else:
        db.session.execute(
            update(TopicRead)
            .where(TopicRead.user_id == user.id, TopicRead.topic_id == topic.id,
                   TopicRead.last_read_number < number)
            .values(last_read_number=number)
        )
    return True


def first_unread_number(topic: Topic, user: User) -> int:
    return min(last_read(topic, user) + 1, max(topic.post_count, 1))


def page_of(number: int) -> int:
    return (number - 1) // POSTS_PER_PAGE + 1


def quote_markdown(post: Post) -> str:
    """The quoted post as Markdown for the reply box."""
    name = post.author.full_name if post.author else "Удалённый участник"
    lines = post.body.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    return f"> **{name}** писал(а):\n>\n{quoted}\n\n"
