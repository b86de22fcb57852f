from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.mixins import TimestampMixin


def normalize_email(email: str) -> str:
    return email.strip().lower()


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

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
