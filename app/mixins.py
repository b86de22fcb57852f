"""Column mixins shared by models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    """Naive UTC: every timestamp is stored in UTC and shown in the reader's time zone."""
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HideableMixin:
    """User content that moderation can hold or hide, never delete (STYLE.md, seed 000 §5).

    held_at: waiting for a coordinator (premoderation, watched words); the author sees it
    marked «на проверке», others do not see it. hidden_at: removed by a coordinator with a
    ground (`hidden_reason`, a key of app.moderation's grounds); members see a placeholder,
    coordinators see the text and can restore it."""

    held_at: Mapped[datetime | None] = mapped_column(default=None)
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)
    hidden_reason: Mapped[str] = mapped_column(String(64), default="")

    @declared_attr
    def hidden_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_held(self) -> bool:
        return self.held_at is not None and self.hidden_at is None

    @property
    def is_public(self) -> bool:
        return self.held_at is None and self.hidden_at is None
