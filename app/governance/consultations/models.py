"""Targeted consultations (адресные консультации, seeds 001 §4.2.3, 003 §3.1.4).

A member asks a question; the coordinator assigns a consultant from the community's members;
the asker and the consultant then talk privately in a thread of messages. Timestamps are
naive UTC."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class ConsultationStatus(enum.StrEnum):
    NEW = "new"  # asked, waiting for a consultant
    ASSIGNED = "assigned"  # a consultant is assigned, no answer yet
    ANSWERED = "answered"  # the consultant wrote the first message
    CLOSED = "closed"  # the asker or the coordinator closed it: no more messages


class PreferredForm(enum.StrEnum):
    """The form of the consultation the member prefers."""

    IN_PERSON = "in_person"  # очно
    ONLINE = "online"  # онлайн
    WRITTEN = "written"  # письменно
    PHONE = "phone"  # по телефону


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_queue", "community_id", "status", "created_at"),
        Index("ix_consultations_community_created", "community_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    asker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    consultant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    topic: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text, default="")
    question_html: Mapped[str] = mapped_column(Text, default="")
    preferred_form: Mapped[str] = mapped_column(String(16), default=PreferredForm.WRITTEN)
    status: Mapped[str] = mapped_column(String(16), default=ConsultationStatus.NEW)
    assigned_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Kept by services.post_message, so lists never count rows.
    message_count: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)

    asker: Mapped[User | None] = relationship(foreign_keys=[asker_id], lazy="joined")
    consultant: Mapped[User | None] = relationship(foreign_keys=[consultant_id], lazy="joined")

    @property
    def is_closed(self) -> bool:
        return self.status == ConsultationStatus.CLOSED

    @property
    def is_answered(self) -> bool:
        return self.status in (ConsultationStatus.ANSWERED, ConsultationStatus.CLOSED)

    def participant_ids(self) -> set[int]:
        return {i for i in (self.asker_id, self.consultant_id) if i is not None}


class ConsultationMessage(db.Model):
    """One message of the private exchange between the asker and the consultant."""

    __tablename__ = "consultation_messages"
    __table_args__ = (Index("ix_consultation_messages_thread", "consultation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
