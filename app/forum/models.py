"""Forum: sections, topics, posts (with revisions and attachments), read positions, watches."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.mixins import HideableMixin, TimestampMixin, utcnow

if TYPE_CHECKING:
    from app.governance.groups.models import WorkingGroup


class Section(TimestampMixin, db.Model):
    __tablename__ = "forum_sections"
    __table_args__ = (Index("ix_forum_sections_order", "community_id", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    # «Объявления» (000 §4.1): only coordinators and the chair post; every member is told.
    is_announcements: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept by the services, so the section list never counts rows.
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    last_topic_id: Mapped[int | None] = mapped_column(Integer, default=None)
    last_post_at: Mapped[datetime | None] = mapped_column(default=None)
    # The section of a temporary working group (002 §4.3): only the group's members (and the
    # forum moderators) see it; read-only once the group is archived. None: the community's.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_groups.id"), default=None, unique=True
    )

    community: Mapped[Community] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()


class Topic(TimestampMixin, db.Model):
    __tablename__ = "forum_topics"
    __table_args__ = (
        Index("ix_forum_topics_list", "section_id", "is_pinned", "last_post_at", "id"),
        Index("ix_forum_topics_community", "community_id", "last_post_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("forum_sections.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Posts numbered 1..n within the topic; the count includes the opening post.
    post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_id: Mapped[int | None] = mapped_column(Integer, default=None)
    last_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Mirror the opening post: a held opening post keeps the topic out of the lists (but for
    # its author and the coordinators); a removed one hides it there too.
    held_at: Mapped[datetime | None] = mapped_column(default=None)
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)

    section: Mapped[Section] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_author: Mapped[User | None] = relationship(foreign_keys=[last_author_id])

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


class Post(TimestampMixin, HideableMixin, db.Model):
    __tablename__ = "forum_posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "number"),
        Index("ix_forum_posts_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    # Rendered and sanitised once, when written (app.sanitize.render_markdown).
    body_html: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    edit_count: Mapped[int] = mapped_column(default=0)

    topic: Mapped[Topic] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    attachments: Mapped[list[PostAttachment]] = relationship(
        order_by="PostAttachment.id", lazy="selectin"
    )

    @staticmethod
    def in_topic(topic: Topic):
        return select(Post).where(Post.topic_id == topic.id).order_by(Post.number)


class PostRevision(db.Model):
    """The text a post had before an edit."""

    __tablename__ = "forum_post_revisions"
    __table_args__ = (Index("ix_forum_post_revisions_post", "post_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    editor: Mapped[User | None] = relationship()


class PostAttachment(db.Model):
    __tablename__ = "forum_post_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    file = relationship("StoredFile", lazy="joined")


class TopicRead(db.Model):
    """How far a member has read a topic: the reader's own position, nothing else."""

    __tablename__ = "forum_topic_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("forum_topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_number: Mapped[int] = mapped_column(default=0)


class TopicWatch(db.Model):
    __tablename__ = "forum_topic_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("forum_topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
