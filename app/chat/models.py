"""The community's live chat."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import HideableMixin, TimestampMixin


class ChatMessage(TimestampMixin, HideableMixin, db.Model):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_community", "community_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
