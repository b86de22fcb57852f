from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import TimestampMixin


class CommunityKind(enum.StrEnum):
    REGIONAL_LEADERS = "regional_leaders"
    INTERSCHOOL = "interschool"
    TOCHKA_ROSTA = "tochka_rosta"
    MUNICIPAL = "municipal"
    OTHER = "other"


class CommunityLevel(enum.StrEnum):
    REGIONAL = "regional"
    MUNICIPAL = "municipal"
    SCHOOL = "school"


class JoinPolicy(enum.StrEnum):
    OPEN = "open"  # admitted at once
    MODERATED = "moderated"  # the coordinator admits (000 §5.1)


class Role(enum.StrEnum):
    """Roles inside one community. A membership holds one position plus council/expert flags."""

    MEMBER = "member"
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    COUNCIL = "council"
    EXPERT = "expert"


class Community(TimestampMixin, db.Model):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    charter: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), default=CommunityKind.OTHER)
    level: Mapped[str] = mapped_column(String(32), default=CommunityLevel.REGIONAL)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="SET NULL"), index=True
    )
    join_policy: Mapped[str] = mapped_column(String(16), default=JoinPolicy.MODERATED)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    municipality: Mapped[str] = mapped_column(String(200), default="")
    min_meetings_per_year: Mapped[int] = mapped_column(default=2)
    # Due dates recur every academic year: stored as month and day.
    plan_due_month: Mapped[int] = mapped_column(default=9)
    plan_due_day: Mapped[int] = mapped_column(default=15)
    report_due_month: Mapped[int] = mapped_column(default=7)
    report_due_day: Mapped[int] = mapped_column(default=15)
    # Kept current by services (join/leave), so lists never count rows per community.
    member_count: Mapped[int] = mapped_column(default=0)
    # Moderation: distinct members' reports that hide an item until a coordinator decides;
    # how many first posts of a new member wait for review (0: none).
    auto_hide_threshold: Mapped[int] = mapped_column(default=3)
    premoderate_first_posts: Mapped[int] = mapped_column(default=0)
    # The bank: a new material waits for the coordinator's approval before it is published.
    materials_need_approval: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Community | None] = relationship(remote_side=[id])

    @property
    def is_open(self) -> bool:
        return self.join_policy == JoinPolicy.OPEN

    def __repr__(self) -> str:
        return f"<Community {self.slug}>"


class ConsentKind(enum.StrEnum):
    CHARTER = "charter"
    PERSONAL_DATA = "personal_data"


class ConsentDocument(TimestampMixin, db.Model):
    """A version of a text a person consents to: a community's charter or the platform's
    personal data consent. Texts are never edited in place; a change adds a version."""

    __tablename__ = "consent_documents"
    __table_args__ = (UniqueConstraint("kind", "community_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    @staticmethod
    def latest(kind: str, community_id: int | None = None):
        return (
            select(ConsentDocument)
            .where(ConsentDocument.kind == kind, ConsentDocument.community_id == community_id)
            .order_by(ConsentDocument.version.desc())
            .limit(1)
        )


class Consent(db.Model):
    """One person's consent to one version of a document, with its time."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id"))
    given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]

    document: Mapped[ConsentDocument] = relationship()


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class JoinRequest(TimestampMixin, db.Model):
    __tablename__ = "join_requests"
    __table_args__ = (
        # At most one open request per person and community.
        Index(
            "uq_join_requests_pending",
            "user_id",
            "community_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_join_requests_queue", "community_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.PENDING)
    charter_consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"))
    pd_consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    community: Mapped[Community] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    charter_consent: Mapped[Consent] = relationship(foreign_keys=[charter_consent_id])
    pd_consent: Mapped[Consent] = relationship(foreign_keys=[pd_consent_id])

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class Membership(db.Model):
    """One period of membership. Leaving closes it (left_at); rejoining opens a new one, so
    the history of joins and departures stays for the annual report."""

    __tablename__ = "memberships"
    __table_args__ = (
        Index(
            "uq_memberships_active",
            "user_id",
            "community_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index("ix_memberships_community_active", "community_id", "left_at"),
        # The community page's chair and coordinators, among tens of thousands of members.
        Index("ix_memberships_community_role", "community_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    # The person's position: member, coordinator or chair; council and expert are flags,
    # since a chair sits on the council and any member may be an expert.
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    is_council: Mapped[bool] = mapped_column(default=False)
    is_expert: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    join_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("join_requests.id", ondelete="SET NULL")
    )
    # Read-only in this community until then (a coordinator's mute, seed 000 §5.2).
    muted_until: Mapped[datetime | None] = mapped_column(default=None)
    # Ended by a coordinator's exclusion rather than by leaving.
    excluded: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
    community: Mapped[Community] = relationship()

    @property
    def is_active(self) -> bool:
        return self.left_at is None

    def is_muted(self, now: datetime) -> bool:
        return self.muted_until is not None and self.muted_until > now

    @property
    def roles(self) -> frozenset[str]:
        roles = {Role.MEMBER.value, self.role}
        if self.is_council or self.role == Role.CHAIR:
            roles.add(Role.COUNCIL.value)
        if self.is_expert:
            roles.add(Role.EXPERT.value)
        return frozenset(roles)

    @staticmethod
    def active():
        return select(Membership).where(Membership.left_at.is_(None))
