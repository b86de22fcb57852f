"""Mentoring pairs (наставничество, seed 002 §3.1, seed 004): a mentor and a mentee of one
community, with a goal and a period. Created, edited and ended by the coordinator or the
chair; listed on the community's page and on both people's profiles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.mixins import TimestampMixin


class MentoringPair(TimestampMixin, db.Model):
    __tablename__ = "mentoring_pairs"
    __table_args__ = (
        Index("ix_mentoring_pairs_community", "community_id", "starts_on"),
        Index("ix_mentoring_pairs_mentor", "mentor_id"),
        Index("ix_mentoring_pairs_mentee", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    goal: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Ended early by the coordinator or the chair (naive UTC).
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    community: Mapped[Community] = relationship(lazy="joined")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], lazy="joined")
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id], lazy="joined")

    def state(self, today: date) -> str:
        """"ended" (early), "past", "upcoming" or "current" on the given day."""
        if self.ended_at is not None:
            return "ended"
        if self.ends_on < today:
            return "past"
        if self.starts_on > today:
            return "upcoming"
        return "current"

    def is_over(self, today: date) -> bool:
        return self.state(today) in ("ended", "past")
