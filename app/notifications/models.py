from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class Delivery(enum.StrEnum):
    """How one kind of notification reaches a person."""

    SITE = "site"  # the bell only
    INSTANT = "instant"  # a letter at once
    DAILY = "daily"  # in the daily digest
    WEEKLY = "weekly"  # in the weekly digest


class Notification(TimestampMixin, db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        # The list, newest first, a page after another (app.pagination.keyset).
        Index("ix_notifications_user", "user_id", "id"),
        # `flask send-digests` looks for what still waits for a digest.
        Index("ix_notifications_digest_due", "delivery", "digest_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A kind per feature ("admission", "moderation", "reply", "event", "plan", ...): e-mail
    # preferences are chosen per kind.
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500), default="")
    read_at: Mapped[datetime | None]
    # The person's choice for this kind when it was made (a Delivery): a later change of
    # the settings does not resend or drop what is already waiting.
    delivery: Mapped[str] = mapped_column(String(16), default=Delivery.SITE)
    # The digest letter that carried it (daily or weekly delivery), once sent.
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_digests.id", ondelete="SET NULL"), default=None
    )

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(db.Model):
    """One person's choice for one kind; a kind without a row uses the default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(16))


class MailDigest(db.Model):
    """One digest letter for one person and period. The unique key is what makes
    `flask send-digests` safe to run twice: a second run finds the period's letter made."""

    __tablename__ = "mail_digests"
    __table_args__ = (UniqueConstraint("user_id", "period", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(16))  # Delivery.DAILY or Delivery.WEEKLY
    period_key: Mapped[str] = mapped_column(String(16))  # "2026-11-22" or "2026-W47"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutgoingMail(db.Model):
    """A letter in the queue. It is written in the same transaction as what caused it, and
    delivered afterwards; a failure keeps it queued with the error for a later attempt."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # The one-click unsubscribe address (List-Unsubscribe), absolute.
    unsubscribe_url: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender claims a letter before sending it, so that two runs never send it twice.
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")


class ReminderSent(db.Model):
    """A reminder already given, by key ("event-tomorrow:<event>:<user>", ...): running
    `flask send-reminders` twice reminds nobody twice."""

    __tablename__ = "reminders_sent"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
