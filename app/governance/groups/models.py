"""Temporary working groups (seed 002 §4.3): «Для решения перспективных и текущих задач при
Сообществе могут создаваться временные рабочие группы».

A group has a name, a goal, members chosen from the community (some of them leaders), an end
date and its own forum section (`app.forum.models.Section.group_id`), which only the group's
members and the forum moderators see. Past its end date, or closed early, the group is in the
archive: nothing about it changes any more, and its section is read-only."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class WorkingGroup(TimestampMixin, db.Model):
    __tablename__ = "working_groups"
    __table_args__ = (Index("ix_working_groups_community", "community_id", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    goal: Mapped[str] = mapped_column(Text, default="")
    # Rendered and sanitised once, when written (app.sanitize.render_markdown).
    goal_html: Mapped[str] = mapped_column(Text, default="")
    # The last day of work, a date in the community's time zone.
    end_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Closed before its end date (naive UTC).
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    community: Mapped[Community] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    members: Mapped[list[WorkingGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="WorkingGroupMember.id"
    )

    def is_archived_on(self, today: date) -> bool:
        """Closed early, or past its end date (`today` in the community's zone)."""
        return self.closed_at is not None or self.end_date < today

    @property
    def is_archived(self) -> bool:
        from app.governance.groups.services import local_today

        return self.is_archived_on(local_today(self.community))

    @property
    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}

    @property
    def leader_ids(self) -> set[int]:
        return {m.user_id for m in self.members if m.is_leader}

    @property
    def roster(self) -> list[WorkingGroupMember]:
        """Leaders first, then by name."""
        return sorted(self.members, key=lambda m: (not m.is_leader, m.user.full_name, m.id))


class WorkingGroupMember(TimestampMixin, db.Model):
    """One member of a group; removing the row takes nothing they wrote away."""

    __tablename__ = "working_group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        Index("ix_working_group_members_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )

    group: Mapped[WorkingGroup] = relationship(back_populates="members")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
