"""The community chat: short live messages through the same sanitizer as the forum."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.chat.models import ChatMessage
from app.communities.models import Community
from app.communities.services import ensure_can_write
from app.errors import DomainError
from app.extensions import db
from app.moderation import services as moderation
from app.sanitize import render_markdown

MESSAGE_MAX = 2000
HISTORY = 50


def send(community: Community, author: User, body: str) -> ChatMessage:
    ensure_can_write(author, community)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError("Сообщение не может быть пустым.", field="body")
    if len(body) > MESSAGE_MAX:
        raise DomainError(f"Сообщение длиннее {MESSAGE_MAX} символов.", field="body")
    screening = moderation.screen(community, author, body)
    message = ChatMessage(
        community_id=community.id, author_id=author.id, body=body, body_html=render_markdown(body)
    )
    db.session.add(message)
    db.session.flush()
    moderation.apply_screening(message, screening)
    return message


def _base(community: Community, reader: User | None = None):
    """Messages the reader may see: held ones only for their author (and moderators, who pass
    reader=None)."""
    query = (
        select(ChatMessage)
        .options(joinedload(ChatMessage.author))
        .where(ChatMessage.community_id == community.id)
    )
    if reader is not None:
        query = query.where(
            ChatMessage.held_at.is_(None) | (ChatMessage.author_id == reader.id)
        )
    return query


def latest(
    community: Community, reader: User | None = None, limit: int = HISTORY
) -> tuple[list[ChatMessage], bool]:
    """The newest messages, oldest first, and whether there are older ones."""
    rows = db.session.scalars(
        _base(community, reader).order_by(ChatMessage.id.desc()).limit(limit + 1)
    ).all()
    return list(reversed(rows[:limit])), len(rows) > limit


def after(
    community: Community, last_id: int, reader: User | None = None, limit: int = 200
) -> list[ChatMessage]:
    """Messages newer than the last one the reader has (what polling asks for)."""
    return list(
        db.session.scalars(
            _base(community, reader)
            .where(ChatMessage.id > last_id)
            .order_by(ChatMessage.id)
            .limit(limit)
        )
    )


def before(
    community: Community, first_id: int, reader: User | None = None, limit: int = HISTORY
) -> tuple[list[ChatMessage], bool]:
    rows = db.session.scalars(
        _base(community, reader).where(ChatMessage.id < first_id)
        .order_by(ChatMessage.id.desc()).limit(limit + 1)
    ).all()
    return list(reversed(rows[:limit])), len(rows) > limit
