"""The one way any feature notifies a user: `notify(user, kind, text, url)`."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from app.auth.models import User
from app.extensions import db
from app.mixins import utcnow
from app.notifications.models import Notification

KINDS = {
    "admission": "Вступление и роли",
    "announcement": "Объявления сообществ",
    "moderation": "Модерация моих материалов",
    "reply": "Ответы и упоминания",
    "event": "Мероприятия и лист ожидания",
    "plan": "Планы и заседания",
}


def notify(user: User, kind: str, text: str, url: str = "") -> Notification:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(user_id=user.id, kind=kind, text=text[:2000], url=url[:500])
    db.session.add(notification)
    db.session.flush()
    return notification


def notify_many(user_ids: list[int], kind: str, text: str, url: str = "") -> int:
    """The same notification to many people in one INSERT (announcements, watchers)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not user_ids:
        return 0
    now = utcnow()
    db.session.execute(
        insert(Notification),
        [
            {"user_id": uid, "kind": kind, "text": text[:2000], "url": url[:500],
             "created_at": now}
            for uid in dict.fromkeys(user_ids)
        ],
    )
    return len(user_ids)


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def for_user(user: User):
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    )


def mark_read(notification: Notification, user: User) -> Notification:
    if notification.user_id != user.id:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
