"""The methodological bank: materials with files (versioned) or links, co-authors, topics,
best practices and expert reviews."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import HideableMixin, TimestampMixin, utcnow


class MaterialType(enum.StrEnum):
    METHODICAL = "methodical"
    PRESENTATION = "presentation"
    LESSON_PLAN = "lesson_plan"
    NORMATIVE = "normative"
    BEST_PRACTICE = "best_practice"
    VIDEO = "video"
    OTHER = "other"


class EducationLevel(enum.StrEnum):
    ALL = "all"
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    BASIC = "basic"
    SECONDARY = "secondary"
    VOCATIONAL = "vocational"
    ADDITIONAL = "additional"


class MaterialStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the coordinator's approval (if the community asks it)
    PUBLISHED = "published"


class Material(TimestampMixin, HideableMixin, db.Model):
    __tablename__ = "materials"
    __table_args__ = (
        Index("ix_materials_list", "community_id", "status", "created_at"),
        # The default «newest first» listing walks this index instead of sorting the bank.
        # Each sort of the bank (app.materials.routes.LIST_ORDERS) has its index ending in id,
        # so that a page after a cursor is a range of it: per community, and without the
        # community for the bank of all the member's communities (/bank/).
        Index("ix_materials_recent", "community_id", "created_at", "id"),
        Index("ix_materials_downloads", "community_id", "download_count", "id"),
        Index("ix_materials_best", "community_id", "is_best_practice", "created_at", "id"),
        Index("ix_materials_recent_all", "created_at", "id"),
        Index("ix_materials_downloads_all", "download_count", "id"),
        Index("ix_materials_best_all", "is_best_practice", "created_at", "id"),
        Index("ix_materials_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    # Who placed it (a member, or the coordinator on a member's behalf: placed_by).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    placed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(32), default=MaterialType.METHODICAL)
    level: Mapped[str] = mapped_column(String(32), default=EducationLevel.ALL)
    link_url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(16), default=MaterialStatus.PUBLISHED)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    is_best_practice: Mapped[bool] = mapped_column(Boolean, default=False)
    download_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Topics as one string for display and search («Функциональная грамотность; ФГОС»);
    # the rows of material_topics are what filters use.
    topics_text: Mapped[str] = mapped_column(String(1000), default="")

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    files: Mapped[list[MaterialFile]] = relationship(
        order_by="MaterialFile.id", lazy="selectin", back_populates="material"
    )
    coauthors: Mapped[list[MaterialAuthor]] = relationship(lazy="selectin")
    topics: Mapped[list[MaterialTopic]] = relationship(lazy="selectin")

    @property
    def is_published(self) -> bool:
        return self.status == MaterialStatus.PUBLISHED

    @property
    def body_html(self) -> str:
        """What moderation shows of the material."""
        return self.description_html or f"<p>{self.title}</p>"


class MaterialAuthor(db.Model):
    """A co-author among the members (000 §3.9: collective intellectual property)."""

    __tablename__ = "material_authors"

    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    user: Mapped[User] = relationship(lazy="joined")


class MaterialTopic(db.Model):
    __tablename__ = "material_topics"
    __table_args__ = (Index("ix_material_topics_tag", "tag", "material_id"),)

    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)  # casefolded
    label: Mapped[str] = mapped_column(String(60))  # as written


class MaterialFile(db.Model):
    """A file of a material; each upload of a new version adds a MaterialFileVersion."""

    __tablename__ = "material_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), index=True
    )
    current_version: Mapped[int] = mapped_column(default=1)

    material: Mapped[Material] = relationship(back_populates="files")
    versions: Mapped[list[MaterialFileVersion]] = relationship(
        order_by="MaterialFileVersion.number.desc()", lazy="selectin"
    )

    @property
    def current(self) -> MaterialFileVersion:
        return self.versions[0]


class MaterialFileVersion(db.Model):
    __tablename__ = "material_file_versions"
    __table_args__ = (UniqueConstraint("file_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("material_files.id", ondelete="CASCADE"))
    number: Mapped[int]
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stored = relationship("StoredFile", lazy="joined")


class ReviewCriterion(db.Model):
    """A criterion of the community's expert review («экспертиза», 003 §3.1.5)."""

    __tablename__ = "review_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    max_score: Mapped[int] = mapped_column(default=5)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class ExpertReview(db.Model):
    __tablename__ = "expert_reviews"
    __table_args__ = (UniqueConstraint("material_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    conclusion: Mapped[str] = mapped_column(Text, default="")
    conclusion_html: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)

    expert: Mapped[User] = relationship(foreign_keys=[expert_id], lazy="joined")
    scores: Mapped[list[ReviewScore]] = relationship(lazy="selectin")

    @property
    def is_done(self) -> bool:
        return self.submitted_at is not None

    @property
    def total(self) -> int:
        return sum(s.score for s in self.scores)


class ReviewScore(db.Model):
    __tablename__ = "review_scores"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("expert_reviews.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("review_criteria.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[int]
