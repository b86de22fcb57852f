from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.mixins import utcnow


class DataRequestKind(enum.StrEnum):
    EXPORT = "export"  # a member downloaded everything held about them
    DELETION = "deletion"  # a member deleted their account


class DataRequestStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DataRequest(db.Model):
    """A person's request under 152-ФЗ: the administrators' log of exports and deletions.
    It keeps the account number, never the erased name or address."""

    __tablename__ = "data_requests"
    __table_args__ = (
        # One export at a time per person: a second one started at once is refused.
        Index(
            "uq_data_requests_running",
            "user_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
        Index("ix_data_requests_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=DataRequestStatus.RUNNING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # What was done, in Russian, for the administrators' log (counts, never personal data).
    detail: Mapped[str] = mapped_column(Text, default="")
