"""Events, sign-ups, contests and certificates (seed 000 §2.2, §3.10, §4.4; 002 §3.2).

Times are naive UTC like every timestamp here; pages and .ics files show them in the
community's time zone."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import HideableMixin, TimestampMixin, utcnow


class EventType(enum.StrEnum):
    SEMINAR = "seminar"
    WEBINAR = "webinar"
    MASTER_CLASS = "master_class"
    CONFERENCE = "conference"
    ROUND_TABLE = "round_table"
    MEETING = "meeting"  # заседание
    CONTEST = "contest"  # конкурс: an event with entries
    ACTION = "action"  # акция
    PROJECT = "project"
    DISCUSSION = "discussion"


class EventFormat(enum.StrEnum):
    OFFLINE = "offline"  # очно
    ONLINE = "online"  # дистанционно
    MIXED = "mixed"  # смешанный


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    FINISHED = "finished"


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_calendar", "community_id", "starts_at"),
        Index("ix_events_status_start", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(32), default=EventType.SEMINAR)
    format: Mapped[str] = mapped_column(String(16), default=EventFormat.OFFLINE)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str] = mapped_column(String(1000), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # None: no limit. Confirmed sign-ups never exceed it (services.sign_up).
    capacity: Mapped[int | None] = mapped_column(default=None)
    registration_opens_at: Mapped[datetime | None] = mapped_column(default=None)
    # None: sign-up stays open until the event starts.
    registration_closes_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT)
    # Academic hours for the professional-development record, printed on certificates.
    hours: Mapped[int | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    # Any change of the event; `sequence` counts the changes of its time and place, so that
    # calendar applications replace their copy (iCalendar SEQUENCE).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancel_reason: Mapped[str] = mapped_column(String(1000), default="")
    # Kept by the sign-up services in the same statement that checks the capacity, so that
    # concurrent sign-ups cannot overfill the event and lists never count rows.
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    # Contests: entries are accepted until this moment; results are shown once published.
    entries_deadline: Mapped[datetime | None] = mapped_column(default=None)
    results_published_at: Mapped[datetime | None] = mapped_column(default=None)

    organisers: Mapped[list[EventOrganiser]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def is_contest(self) -> bool:
        return self.type == EventType.CONTEST

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    @property
    def organiser_ids(self) -> set[int]:
        return {o.user_id for o in self.organisers}


class EventOrganiser(db.Model):
    __tablename__ = "event_organisers"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship(lazy="joined")


class Registration(db.Model):
    """One member's sign-up for one event; cancelling keeps the row (status cancelled), so a
    second sign-up reuses it and the history of who came is kept."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_registrations_queue", "event_id", "status", "queued_at", "id"),
        Index("ix_registrations_user", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.CONFIRMED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the member (last) signed up: the waiting list is served in this order.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The organiser who added the person by hand (None: the member signed up).
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Marked by an organiser: True came, False did not, None not marked yet.
    attended: Mapped[bool | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED


class CalendarFeed(db.Model):
    """A member's secret token for the iCalendar feeds (calendar applications don't log in)."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- contests --------------------------------------------------------------------------


class EntryStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Place(enum.StrEnum):
    WINNER = "winner"  # победитель
    PRIZE = "prize"  # призёр
    PARTICIPANT = "participant"  # участник


class ContestCriterion(db.Model):
    __tablename__ = "contest_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    max_score: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)


class ContestJuror(db.Model):
    __tablename__ = "contest_jurors"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    appointed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class ContestEntry(TimestampMixin, HideableMixin, db.Model):
    __tablename__ = "contest_entries"
    __table_args__ = (Index("ix_contest_entries_event", "event_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=EntryStatus.SUBMITTED)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the coordinator from the ranking; shown once the results are published.
    place: Mapped[str | None] = mapped_column(String(16), default=None)
    # The contest's community: moderation (app.content) finds every item's community here.
    community_id: Mapped[int] = column_property(
        select(Event.community_id).where(Event.id == event_id)
        .correlate_except(Event).scalar_subquery())

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")
    files: Mapped[list[ContestEntryFile]] = relationship(
        lazy="selectin", order_by="ContestEntryFile.position", cascade="all, delete-orphan"
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.status == EntryStatus.WITHDRAWN

    @property
    def body_html(self) -> str:
        """What moderation shows of the entry."""
        return self.description_html or f"<p>{self.title}</p>"


class ContestEntryFile(db.Model):
    __tablename__ = "contest_entry_files"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entries.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    stored = relationship("StoredFile", lazy="joined")


class ContestScore(db.Model):
    """One juror's score of one entry against one criterion; other jurors never see it."""

    __tablename__ = "contest_scores"
    __table_args__ = (UniqueConstraint("entry_id", "juror_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("contest_criteria.id", ondelete="CASCADE")
    )
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- certificates ----------------------------------------------------------------------


class CertificateKind(enum.StrEnum):
    PARTICIPANT = "participant"  # сертификат участника
    WINNER = "winner"  # диплом победителя
    PRIZE = "prize"  # диплом призёра


class Certificate(db.Model):
    """An issued certificate. What it says is copied here when it is issued, so that the
    public check shows what was printed even if the event is renamed later."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=CertificateKind.PARTICIPANT)
    holder_name: Mapped[str] = mapped_column(String(200))
    event_title: Mapped[str] = mapped_column(String(300))
    community_name: Mapped[str] = mapped_column(String(300))
    event_date: Mapped[datetime]  # the event's start, UTC
    hours: Mapped[int | None] = mapped_column(default=None)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
