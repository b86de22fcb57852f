"""The election of the chair by secret ballot (seed 000 §3.3).

Who has voted and what was voted are kept in two tables that cannot be joined:

- the roll (`election_roll`): election_id, user_id, has_voted; the council as it stood when
  the election was opened. No timestamps, no surrogate key.
- the urn (`election_ballots`): a random key (uuid4 hex), election_id, candidate_id. No
  timestamps, no autoincrement id, nothing derived from the voter. On SQLite it is a WITHOUT
  ROWID table, so rows are stored in the order of the random key, not of insertion.

The only column they share is election_id. How a vote writes both so that neither the rows
nor the database's own bookkeeping (PostgreSQL's xmin and ctid, SQLite's rowid) pairs a
voter with a ballot, and what remains, is in services.cast_vote."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.extensions import db
from app.mixins import TimestampMixin


class ElectionStatus(enum.StrEnum):
    DRAFT = "draft"  # editable by the organisers, seen by nobody else
    PUBLISHED = "published"  # the roll is fixed; voting during [starts_at, ends_at)
    FINALIZED = "finalized"  # «Подвести итоги» pressed: the winner, if any, is the chair


class ElectionState(enum.StrEnum):
    """What the page shows, from the status and the clock."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"  # published, voting not yet begun
    OPEN = "open"
    CLOSED = "closed"  # the period is over, the results not yet applied
    FINALIZED = "finalized"


class Election(TimestampMixin, db.Model):
    __tablename__ = "elections"
    __table_args__ = (Index("ix_elections_community", "community_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    # Naive UTC, typed in the community's time zone.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=ElectionStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    # The size of the roll, fixed when the election is published.
    roll_size: Mapped[int] = mapped_column(default=0)
    finalized_at: Mapped[datetime | None] = mapped_column(default=None)
    finalized_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Set when the results are applied; None after a tie or when nobody voted.
    winner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Whether the winner became the chair (not if they had left the community meanwhile).
    chair_appointed: Mapped[bool] = mapped_column(default=False)

    candidates: Mapped[list[ElectionCandidate]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ElectionCandidate.position"
    )
    winner: Mapped[User | None] = relationship(foreign_keys=[winner_id], lazy="joined")

    def state(self, now: datetime) -> ElectionState:
        if self.status == ElectionStatus.DRAFT:
            return ElectionState.DRAFT
        if self.status == ElectionStatus.FINALIZED:
            return ElectionState.FINALIZED
        if now < self.starts_at:
            return ElectionState.SCHEDULED
        if now < self.ends_at:
            return ElectionState.OPEN
        return ElectionState.CLOSED

    @property
    def is_draft(self) -> bool:
        return self.status == ElectionStatus.DRAFT

    @property
    def candidate_ids(self) -> list[int]:
        return [c.user_id for c in self.candidates]


class ElectionCandidate(db.Model):
    """A council member on the ballot; `position` is the order on the ballot (by name)."""

    __tablename__ = "election_candidates"

    election_id: Mapped[int] = mapped_column(
        ForeignKey("elections.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    position: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(lazy="joined")


class RollEntry(db.Model):
    """One voter of one election: whether they have voted, and nothing else (no time)."""

    __tablename__ = "election_roll"
    __table_args__ = {"sqlite_with_rowid": False}

    election_id: Mapped[int] = mapped_column(
        ForeignKey("elections.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # The primary key (election_id, user_id) is the unique roll row: one vote per voter.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False,
        index=True,
    )
    has_voted: Mapped[bool] = mapped_column(Boolean, default=False)


def ballot_key() -> str:
    """A random key (122 random bits): unrelated to the voter, the time or the order."""
    return uuid.uuid4().hex


class Ballot(db.Model):
    """One ballot in the urn: which candidate, in which election. Nothing about the voter."""

    __tablename__ = "election_ballots"
    __table_args__ = (
        Index("ix_election_ballots_election", "election_id", "candidate_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=ballot_key)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
