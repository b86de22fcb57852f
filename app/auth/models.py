from __future__ import annotations

import re
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, and_, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.mixins import TimestampMixin


def normalize_email(email: str) -> str:
    return email.strip().lower()


_NAME_WORD = re.compile(r"[^\W_]+")
NAME_WORD_MAX = 60


def fold_words(text: str) -> list[str]:
    """The words of a name (or of a query for one) as search keys: letters and digits,
    case-folded in any alphabet (Python's casefold, not SQLite's ASCII-only lower()), ё as е,
    each word once, in order."""
    folded = text.casefold().replace("ё", "е")
    return list(dict.fromkeys(w[:NAME_WORD_MAX] for w in _NAME_WORD.findall(folded)))


def word_prefix(column, prefix: str):
    """`column` (UserNameWord.word) begins with `prefix`: a range of its index. The words
    compare by their bytes (SQLite's BINARY; collation "C" on PostgreSQL), that is by code
    point, so the range [prefix, prefix + U+10FFFF) holds exactly the words beginning with
    it."""
    return and_(column >= prefix, column < prefix + "\U0010ffff")


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    # A community's members by name, a page after another (app.pagination.keyset).
    __table_args__ = (Index("ix_users_full_name", "full_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (normalize_email), so the unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    municipality: Mapped[str] = mapped_column(String(200), default="")
    is_admin: Mapped[bool] = mapped_column(default=False)
    # 002 §5.1: a member may show their membership on their profile.
    show_memberships: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # The account was deleted at the person's request (152-ФЗ): personal data erased, the
    # row kept so that what they posted stays, signed «Удалённый участник».
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # The header bell's number on every page: kept by app.notifications.services (a new
    # notification adds one, reading takes one away), never counted per request.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")
    # The words of full_name, kept by _index_name whenever the name is set: the member
    # pickers find people by the beginning of any word of their name, in any letter case.
    name_words: Mapped[list[UserNameWord]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)

    @validates("full_name")
    def _index_name(self, key: str, value: str) -> str:
        have = {w.word: w for w in self.name_words}  # a new user has none: no query
        self.name_words = [have.get(word) or UserNameWord(word=word)
                           for word in fold_words(value or "")]
        return value

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: a deleted account cannot log in
        return self.deleted_at is None

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def by_email(email: str):
        return db.select(User).where(func.lower(User.email) == normalize_email(email))

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserNameWord(db.Model):
    """One word of a person's name, case-folded (fold_words). Bulk inserts of users
    (app/scale.py) write these rows themselves; everything else sets User.full_name."""

    __tablename__ = "user_name_words"
    # Words by their beginning, in order (app.communities.services.find_members walks it).
    __table_args__ = (Index("ix_user_name_words_word", "word", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    # Compared by bytes on both back ends (SQLite's default), whatever the database's
    # collation: so the index serves a prefix as a range, and its order is the walk's.
    word: Mapped[str] = mapped_column(
        String(NAME_WORD_MAX).with_variant(String(NAME_WORD_MAX, collation="C"), "postgresql"),
        primary_key=True)
