"""The work plan for the academic year (план работы на учебный год, seed 000 §3.4; 003 §4.7).

A plan belongs to one community and one academic year (`year` is its first calendar year:
2026 for 2026/2027). Drafted by the chair or a coordinator, sent to the council, approved when
more than half of the current council approves. Each approval round's votes are PlanVote rows
(one per council member and plan); everything that happens to a plan, every vote included, is
also written to PlanLog, so returning a plan to draft can clear the votes without losing who
decided what and when."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.events.models import Event
from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVAL = "approval"  # на утверждении: sent to the council
    APPROVED = "approved"


class ItemStatus(enum.StrEnum):
    PLANNED = "planned"  # запланировано
    DONE = "done"  # проведено
    POSTPONED = "postponed"  # перенесено
    CANCELLED = "cancelled"  # отменено


class ItemForm(enum.StrEnum):
    MEETING = "meeting"
    SEMINAR = "seminar"
    WEBINAR = "webinar"
    MASTER_CLASS = "master_class"
    CONFERENCE = "conference"
    ROUND_TABLE = "round_table"
    CONTEST = "contest"
    CONSULTATION = "consultation"
    OTHER = "other"  # with its own name in PlanItem.form_other


class Decision(enum.StrEnum):
    APPROVE = "approve"
    OBJECT = "object"


class Plan(TimestampMixin, db.Model):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("community_id", "year", name="uq_plans_community_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    year: Mapped[int]  # the academic year's start: 2026 for 2026/2027
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # The current approval round: 1 on the first sending, +1 on each sending after a return.
    round: Mapped[int] = mapped_column(default=0)
    sent_for_approval_at: Mapped[datetime | None] = mapped_column(default=None)
    approved_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", order_by="PlanItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def on_approval(self) -> bool:
        return self.status == PlanStatus.APPROVAL

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED


class PlanItem(db.Model):
    """One line of the plan: when (an exact date, or only a month), what, in what form, who is
    responsible, and the fact (status, a linked event of the community, a note). `month` is
    always set (taken from `day` when there is one), so items sort and copy by it."""

    __tablename__ = "plan_items"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_plan_items_month"),
        Index("ix_plan_items_plan", "plan_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    day: Mapped[date | None] = mapped_column(Date, default=None)
    month: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    form: Mapped[str] = mapped_column(String(32), default=ItemForm.SEMINAR)
    form_other: Mapped[str] = mapped_column(String(100), default="")
    # Required on input; None only when a copied item's person has left (to be chosen again).
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), default=None, index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PLANNED)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="items")
    responsible: Mapped[User | None] = relationship(lazy="joined")
    event: Mapped[Event | None] = relationship(lazy="joined")

    @property
    def is_done(self) -> bool:
        return self.status == ItemStatus.DONE


class PlanVote(db.Model):
    """A council member's decision on the plan in the current round: one per member and plan
    (the unique constraint stops a second one even when two clicks race)."""

    __tablename__ = "plan_votes"
    __table_args__ = (UniqueConstraint("plan_id", "user_id", name="uq_plan_votes_plan_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def approves(self) -> bool:
        return self.decision == Decision.APPROVE


class PlanLog(db.Model):
    """The plan's history: created, sent, each vote, approved, returned (with the reason).
    Votes are copied here when cast, so the record of every round outlives a return to
    draft."""

    __tablename__ = "plan_log"
    __table_args__ = (Index("ix_plan_log_plan", "plan_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(default=0)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")
