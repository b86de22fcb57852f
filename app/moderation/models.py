from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import TimestampMixin


class Report(TimestampMixin, db.Model):
    """A member's complaint about one item of content («жалоба»). One per reporter and item."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "reporter_id"),
        Index("ix_reports_queue", "community_id", "status", "created_at"),
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
