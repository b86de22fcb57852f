"""Meetings (заседания) and their minutes (протоколы), seeds 001 §4.3-4.4, 003 §4.5-4.6.

A meeting is an Event of type «meeting» (app.events); this part adds its agenda, its minutes
and the register of the decisions the minutes record. Nothing a person wrote is deleted:
agenda items, questions and recommendations removed from a draft keep their row
(`removed_at`). Signed minutes are read-only, and what they say (the attendees, the count of
members, the quorum, the names of the chair and the secretary) is stored with them, so the
document does not change when people join, leave or are renamed later."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.events.models import Event
from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class MinutesStatus(enum.StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class DecisionKind(enum.StrEnum):
    DECISION = "decision"  # решение (РЕШИЛИ)
    RECOMMENDATION = "recommendation"  # рекомендация


class DecisionStatus(enum.StrEnum):
    OPEN = "open"  # открыто
    DONE = "done"  # выполнено
    WITHDRAWN = "withdrawn"  # снято


class AgendaItem(TimestampMixin, db.Model):
    """A question of a meeting's agenda (повестка дня), set before the meeting."""

    __tablename__ = "meeting_agenda_items"
    __table_args__ = (Index("ix_meeting_agenda_items_event", "event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(500))
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    speaker: Mapped[User | None] = relationship(foreign_keys=[speaker_id], lazy="joined")


class Minutes(TimestampMixin, db.Model):
    """The minutes of one meeting: a draft until signed, then read-only."""

    __tablename__ = "meeting_minutes"
    __table_args__ = (
        # The number runs within the community's academic year (№ 1, 2, … each year).
        UniqueConstraint("community_id", "year", "number"),
        Index("ix_meeting_minutes_community", "community_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    year: Mapped[int]  # the academic year's start: 2026 for 2026/2027
    number: Mapped[int]
    held_on: Mapped[date]  # the meeting's date in the community's zone
    place: Mapped[str] = mapped_column(String(500), default="")
    chair_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    chair_name: Mapped[str] = mapped_column(String(200), default="")
    secretary_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    secretary_name: Mapped[str] = mapped_column(String(200), default="")
    # Taken from the marked attendance and the community's size on every save of the draft
    # and at signing; kept as they were when signed.
    members_count: Mapped[int] = mapped_column(default=0)
    present_count: Mapped[int] = mapped_column(default=0)
    has_quorum: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=MinutesStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    signed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)

    event: Mapped[Event] = relationship(lazy="joined")
    attendees: Mapped[list[MinutesAttendee]] = relationship(
        order_by="MinutesAttendee.position", cascade="all, delete-orphan")
    questions: Mapped[list[MinutesQuestion]] = relationship(
        primaryjoin=lambda: and_(MinutesQuestion.minutes_id == Minutes.id,
                                 MinutesQuestion.removed_at.is_(None)),
        order_by=lambda: (MinutesQuestion.position, MinutesQuestion.id),
        viewonly=True)
    recommendations: Mapped[list[MinutesRecommendation]] = relationship(
        primaryjoin=lambda: and_(MinutesRecommendation.minutes_id == Minutes.id,
                                 MinutesRecommendation.removed_at.is_(None)),
        order_by=lambda: (MinutesRecommendation.position, MinutesRecommendation.id),
        viewonly=True)

    @property
    def is_signed(self) -> bool:
        return self.status == MinutesStatus.SIGNED


class MinutesAttendee(db.Model):
    """One person present, as the attendance was marked when the minutes were last saved."""

    __tablename__ = "meeting_minutes_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_minutes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)


class MinutesQuestion(TimestampMixin, db.Model):
    """A question considered: СЛУШАЛИ (the speaker and a summary), ВЫСТУПИЛИ, РЕШИЛИ and the
    vote (None: no vote was taken), with whoever is responsible for the decision and its
    deadline, for the register."""

    __tablename__ = "meeting_minutes_questions"
    __table_args__ = (Index("ix_meeting_minutes_questions_minutes", "minutes_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_minutes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(500))
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    heard: Mapped[str] = mapped_column(Text, default="")  # СЛУШАЛИ
    discussion: Mapped[str] = mapped_column(Text, default="")  # ВЫСТУПИЛИ
    decision: Mapped[str] = mapped_column(Text, default="")  # РЕШИЛИ
    votes_for: Mapped[int | None] = mapped_column(default=None)
    votes_against: Mapped[int | None] = mapped_column(default=None)
    votes_abstained: Mapped[int | None] = mapped_column(default=None)
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    due_on: Mapped[date | None] = mapped_column(default=None)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    speaker: Mapped[User | None] = relationship(foreign_keys=[speaker_id], lazy="joined")
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id],
                                                    lazy="joined")

    @property
    def has_vote(self) -> bool:
        return self.votes_for is not None


class MinutesRecommendation(TimestampMixin, db.Model):
    """A recommendation of the meeting (РЕКОМЕНДАЦИИ), with a responsible member and a
    deadline for the register."""

    __tablename__ = "meeting_minutes_recommendations"
    __table_args__ = (
        Index("ix_meeting_minutes_recommendations_minutes", "minutes_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_minutes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    due_on: Mapped[date | None] = mapped_column(default=None)
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id],
                                                    lazy="joined")


class Decision(TimestampMixin, db.Model):
    """An entry of the register of decisions (реестр решений): a decision or a
    recommendation of signed minutes, followed up until done or withdrawn."""

    __tablename__ = "meeting_decisions"
    __table_args__ = (Index("ix_meeting_decisions_register", "community_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_minutes.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_minutes_questions.id", ondelete="SET NULL"), default=None)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_minutes_recommendations.id", ondelete="SET NULL"), default=None)
    kind: Mapped[str] = mapped_column(String(16), default=DecisionKind.DECISION)
    text: Mapped[str] = mapped_column(Text)
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True)
    due_on: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default=DecisionStatus.OPEN)
    status_note: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    status_changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)

    minutes: Mapped[Minutes] = relationship(lazy="joined")
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id],
                                                    lazy="joined")
    status_changed_by: Mapped[User | None] = relationship(foreign_keys=[status_changed_by_id],
                                                          lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.status == DecisionStatus.OPEN
