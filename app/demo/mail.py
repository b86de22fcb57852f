"""Demo mail: notification settings of a few people, and a weekly digest in the outbox.

The member's notifications that wait for the weekly digest are dated last week, as if the
platform had been running, and the digest job then runs as cron would each morning; the
administrator reads the letters at /admin/outbox (no SMTP server in the demo)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.notifications.digests import send_digests
from app.notifications.models import Delivery, Notification, NotificationPreference
from app.notifications.services import set_preferences


def seed(people: dict[str, User]) -> None:
    member, member2, chair = people["member"], people["member2"], people["chair"]
    if db.session.scalar(select(NotificationPreference).where(
            NotificationPreference.user_id == member2.id).limit(1)) is not None:
        return  # seeded already
    set_preferences(member2, {"reply": Delivery.DAILY, "plan": Delivery.DAILY,
                              "announcement": Delivery.SITE})
    set_preferences(chair, {"plan": Delivery.INSTANT})
    for notification in db.session.scalars(select(Notification).where(
            Notification.user_id == member.id, Notification.delivery == Delivery.WEEKLY,
            Notification.digest_id.is_(None))):
        notification.created_at -= timedelta(days=7)
    db.session.flush()
    send_digests()
    db.session.flush()
