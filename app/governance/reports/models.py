"""The annual analytic report (аналитический отчёт, seeds 001 §4.6, 003 §4.8).

One report per community and academic year (`year` = the year's first calendar year). The
head writes its sections in Markdown (the cleaned HTML is stored beside each); the numbers
are assembled live from what the platform recorded while it is a draft and frozen into
`numbers` when it is submitted, so that the document handed in never changes afterwards."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.mixins import TimestampMixin, utcnow


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class AnnualReport(TimestampMixin, db.Model):
    __tablename__ = "annual_reports"
    __table_args__ = (UniqueConstraint("community_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    year: Mapped[int]  # AcademicYear.start: 2025 is 2025/2026
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.DRAFT)
    # The head's sections (labels.SECTIONS): Markdown and its sanitized HTML.
    goals: Mapped[str] = mapped_column(Text, default="")
    goals_html: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    results_html: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    problems_html: Mapped[str] = mapped_column(Text, default="")
    next_tasks: Mapped[str] = mapped_column(Text, default="")
    next_tasks_html: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    proposals_html: Mapped[str] = mapped_column(Text, default="")
    # numbers.ReportNumbers.to_dict(), frozen at submission; None while a draft.
    numbers: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last return to draft by the administrator (the body that receives the report).
    returned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    returned_at: Mapped[datetime | None] = mapped_column(default=None)
    return_reason: Mapped[str] = mapped_column(Text, default="")

    community: Mapped[Community] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT
