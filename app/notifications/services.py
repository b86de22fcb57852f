"""The one way any feature notifies a user: `notify(user, kind, text, url)`.

A notification always shows under the bell. Whether it also goes out by e-mail, at once or
in a daily or weekly digest, is the recipient's choice per kind (`NotificationPreference`,
defaults in DEFAULT_DELIVERY); the choice is recorded on the notification when it is made.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import case, delete, func, insert, select, update

from app.auth.models import User
from app.extensions import db
from app.mixins import utcnow
from app.notifications.models import Delivery, Notification, NotificationPreference

KINDS = {
    "admission": "Вступление и роли",
    "moderation": "Модерация моих материалов",
    "reply": "Ответы и упоминания",
    "event": "Мероприятия и лист ожидания",
    "plan": "Планы и заседания",
    "announcement": "Объявления и новые мероприятия сообществ",
}

DELIVERY_LABELS = {
    Delivery.SITE: "Только на сайте",
    Delivery.INSTANT: "Письмом сразу",
    Delivery.DAILY: "Ежедневная сводка",
    Delivery.WEEKLY: "Еженедельная сводка",
}

# What matters soon comes at once; the rest waits for the weekly digest.
DEFAULT_DELIVERY = {
    "admission": Delivery.INSTANT,
    "moderation": Delivery.INSTANT,
    "event": Delivery.INSTANT,
    "reply": Delivery.WEEKLY,
    "plan": Delivery.WEEKLY,
    "announcement": Delivery.WEEKLY,
}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")


def _effective(delivery: str, urgent: bool) -> str:
    """An urgent notification (a reminder for tomorrow) is of no use in a weekly digest:
    anyone who takes this kind by e-mail at all gets it at once."""
    if urgent and delivery in (Delivery.DAILY, Delivery.WEEKLY):
        return Delivery.INSTANT
    return delivery


def deliveries_for(user_ids: list[int], kind: str) -> dict[int, str]:
    """Each person's delivery for one kind, in one query."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery).where(
            NotificationPreference.kind == kind,
            NotificationPreference.user_id.in_(user_ids),
        )
    ).all()) if user_ids else {}
    default = DEFAULT_DELIVERY[kind]
    return {uid: chosen.get(uid, default) for uid in user_ids}


def notify(user: User, kind: str, text: str, url: str = "", *,
           urgent: bool = False) -> Notification:
    _check_kind(kind)
    delivery = _effective(deliveries_for([user.id], kind)[user.id], urgent)
    notification = Notification(user_id=user.id, kind=kind, text=text[:2000], url=url[:500],
                                delivery=delivery)
    db.session.add(notification)
    db.session.flush()
    _count_unread({user.id: 1})
    if delivery == Delivery.INSTANT:
        from app.notifications import mail

        mail.queue_notifications([notification])
    return notification


def notify_many(user_ids: list[int], kind: str, text: str, url: str = "", *,
                urgent: bool = False) -> int:
    """The same notification to many people in one INSERT (announcements, watchers)."""
    return notify_each(kind, [(uid, text, url) for uid in dict.fromkeys(user_ids)],
                       urgent=urgent)


def notify_each(kind: str, items: list[tuple[int, str, str]], *, urgent: bool = False) -> int:
    """Notifications of one kind with a text and address per person (user id, text, url):
    one query for the preferences, one INSERT, the letters that go at once queued in one
    more. Reminders use it: a different event or community per person."""
    _check_kind(kind)
    if not items:
        return 0
    deliveries = deliveries_for(list({user_id for user_id, _, _ in items}), kind)
    now = utcnow()
    rows = [
        {"user_id": user_id, "kind": kind, "text": text[:2000], "url": url[:500],
         "created_at": now, "delivery": _effective(deliveries[user_id], urgent)}
        for user_id, text, url in items
    ]
    db.session.execute(insert(Notification), rows)
    _count_unread(Counter(user_id for user_id, _, _ in items))
    instant = [row for row in rows if row["delivery"] == Delivery.INSTANT]
    if instant:
        from app.notifications import mail

        mail.queue_notifications([Notification(**row) for row in instant])
    return len(rows)


# --- preferences ---------------------------------------------------------------------------


def preferences_of(user: User) -> dict[str, str]:
    """Every kind with the person's delivery (their choice or the default)."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery).where(
            NotificationPreference.user_id == user.id)
    ).all())
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in KINDS}


def set_preferences(user: User, choices: dict[str, str]) -> dict[str, str]:
    """Store the person's choices; kinds not named keep theirs."""
    for kind, delivery in choices.items():
        _check_kind(kind)
        if delivery not in DELIVERY_LABELS:
            raise ValueError(f"unknown delivery {delivery!r}")
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == user.id,
        NotificationPreference.kind.in_(list(choices)),
    ))
    db.session.add_all(
        NotificationPreference(user_id=user.id, kind=kind, delivery=delivery)
        for kind, delivery in choices.items()
    )
    db.session.flush()
    return preferences_of(user)


# --- the bell ------------------------------------------------------------------------------


def _count_unread(added: dict[int, int]) -> None:
    """Add to the kept unread counts, in one UPDATE whatever the number of people."""
    if not added:
        return
    amounts = set(added.values())
    amount = amounts.pop() if len(amounts) == 1 else case(added, value=User.id, else_=0)
    db.session.execute(
        update(User).where(User.id.in_(list(added)))
        .values(unread_notifications=User.unread_notifications + amount)
        .execution_options(synchronize_session=False))


def unread_count(user: User) -> int:
    """The bell's number: kept on the user's row, which every request loads anyway."""
    return max(user.unread_notifications or 0, 0)


def recount_unread(user_ids: list[int] | None = None) -> None:
    """Set the kept counts from the notifications themselves (migrations, repairs)."""
    counted = (select(func.count(Notification.id))
               .where(Notification.user_id == User.id, Notification.read_at.is_(None))
               .scalar_subquery())
    statement = update(User).values(unread_notifications=counted)
    if user_ids is not None:
        statement = statement.where(User.id.in_(user_ids))
    db.session.execute(statement.execution_options(synchronize_session=False))


# Newest first; served by ix_notifications_user.
LIST_ORDER = (Notification.id.desc(),)


def for_user(user: User):
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(*LIST_ORDER)
    )


def mark_read(notification: Notification, user: User) -> Notification:
    if notification.user_id != user.id:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        now = utcnow()
        # Only the request that actually marks it takes one from the count.
        marked = db.session.execute(
            update(Notification)
            .where(Notification.id == notification.id, Notification.read_at.is_(None))
            .values(read_at=now).execution_options(synchronize_session=False)
        ).rowcount
        notification.read_at = now
        if marked:
            db.session.execute(
                update(User).where(User.id == user.id, User.unread_notifications > 0)
                .values(unread_notifications=User.unread_notifications - 1)
                .execution_options(synchronize_session=False))
        db.session.flush()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.execute(update(User).where(User.id == user.id)
                       .values(unread_notifications=0)
                       .execution_options(synchronize_session=False))
    return result.rowcount or 0
