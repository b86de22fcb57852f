from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class Report(TimestampMixin, db.Model):
    """A member's complaint about one item of content («жалоба»). One per reporter and item;
    reporter None is the platform itself (a watched word flagged the item)."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "reporter_id"),
        Index("ix_reports_queue", "community_id", "status", "created_at"),
        Index("ix_reports_item", "kind", "object_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ground: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, dismissed, actioned
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)

    reporter: Mapped[User | None] = relationship()


class CaseReason:
    REPORTS = "reports"  # members complained
    PREMODERATION = "premoderation"  # a newcomer's first posts
    WATCHED_WORD = "watched_word"  # a watched word held or flagged it


class ModerationCase(db.Model):
    """One item in the coordinators' queue: what is open about it, since when, and whether
    it is held out of sight meanwhile. One per item; a new report reopens it."""

    __tablename__ = "moderation_cases"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_moderation_cases_queue", "community_id", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    reason: Mapped[str] = mapped_column(String(32))
    # What a watched word found, for the coordinator ("hold"/"flag" decisions).
    detail: Mapped[str] = mapped_column(String(300), default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    reminded_coordinators_at: Mapped[datetime | None] = mapped_column(default=None)
    reminded_admins_at: Mapped[datetime | None] = mapped_column(default=None)

    author: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class ModerationLog(db.Model):
    """Who did what to which item or person, when and why. Never edited or deleted."""

    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_community", "community_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None: the platform acted (a report threshold, a watched word, premoderation).
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[int | None] = mapped_column(default=None)
    target_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    ground: Mapped[str] = mapped_column(String(64), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(String(300), default="")

    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])


class CommunityGround(db.Model):
    """A ground a community adds to the platform's list (its own rule)."""

    __tablename__ = "community_grounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def key(self) -> str:
        return f"c{self.id}"


class WatchedWordEntry(TimestampMixin, db.Model):
    """A watched word or phrase of a community, or of the platform (community_id None)."""

    __tablename__ = "watched_words"
    __table_args__ = (UniqueConstraint("community_id", "phrase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    phrase: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))  # block, hold, flag
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
