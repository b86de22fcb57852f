"""Daily and weekly digests: `flask send-digests`, run every morning by cron.

A digest covers a period that has ended: the daily one yesterday, the weekly one last
week (Monday to Sunday), in the platform's time zone. Each person gets at most one letter
per period (MailDigest is unique per person, period and key), so a second run the same day
sends nothing, and a run that missed some days still carries everything older. Only what is
still unread goes into the letter: what the person already saw on the site is not mailed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from sqlalchemy import select, update

from app.auth.models import User
from app.extensions import db
from app.mixins import utcnow
from app.notifications import mail
from app.notifications.models import Delivery, MailDigest, Notification


@dataclass(frozen=True)
class Period:
    delivery: str
    key: str  # "2026-11-21" (a day) or "2026-W47" (an ISO week)
    first_day: date
    last_day: date
    ends_at: datetime  # naive UTC: notifications made before it belong to the digest

    @property
    def title(self) -> str:
        if self.delivery == Delivery.DAILY:
            return "Сводка за " + format_date(self.first_day, "d MMMM y 'г.'", locale="ru")
        return ("Сводка за неделю " + format_date(self.first_day, "d MMMM", locale="ru")
                + " — " + format_date(self.last_day, "d MMMM y 'г.'", locale="ru"))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _utc_midnight(day: date) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=_zone())
    return local.astimezone(UTC).replace(tzinfo=None)


def last_period(delivery: str, now: datetime) -> Period:
    """The last whole day or week before `now` (naive UTC), in the platform's zone."""
    today = now.replace(tzinfo=UTC).astimezone(_zone()).date()
    if delivery == Delivery.DAILY:
        day = today - timedelta(days=1)
        return Period(delivery, day.isoformat(), day, day, _utc_midnight(today))
    this_monday = today - timedelta(days=today.weekday())
    monday = this_monday - timedelta(days=7)
    year, week, _ = monday.isocalendar()
    return Period(delivery, f"{year}-W{week:02d}", monday, monday + timedelta(days=6),
                  _utc_midnight(this_monday))


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """Make the digest letters that are due; returns letters queued per period."""
    now = now or utcnow()
    with mail.job_context():
        return {delivery.value: _send_period(last_period(delivery, now))
                for delivery in (Delivery.DAILY, Delivery.WEEKLY)}


def _waiting(period: Period):
    return (Notification.delivery == period.delivery, Notification.digest_id.is_(None),
            Notification.created_at < period.ends_at)


def _send_period(period: Period) -> int:
    user_ids = list(db.session.scalars(
        select(Notification.user_id).where(*_waiting(period)).distinct()))
    if not user_ids:
        return 0
    done = set(db.session.scalars(select(MailDigest.user_id).where(
        MailDigest.period == period.delivery, MailDigest.period_key == period.key,
        MailDigest.user_id.in_(user_ids))))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    settings_url = mail.public_url(_settings_path())
    queued = 0
    for user_id in user_ids:
        if user_id in done:
            continue  # this period's letter went out already: the rest waits for the next
        digest_id = _make_digest(user_id, period)
        if digest_id is None:
            continue  # another run made it at the same moment
        claimed = list(db.session.scalars(
            update(Notification)
            .where(Notification.user_id == user_id, *_waiting(period))
            .values(digest_id=digest_id)
            .returning(Notification.id)
        ))
        user = users[user_id]
        items = list(db.session.scalars(
            select(Notification)
            .where(Notification.id.in_(claimed), Notification.read_at.is_(None))
            .order_by(Notification.id)
        )) if claimed else []
        if not items or user.is_deleted:
            continue
        _queue_digest(user, period, items, settings_url)
        queued += 1
    db.session.flush()
    return queued


def _make_digest(user_id: int, period: Period) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: the new digest's id, or None if this person's
    digest of the period exists (a run at the same moment made it)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(MailDigest)
        .values(user_id=user_id, period=period.delivery, period_key=period.key,
                created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "period", "period_key"])
        .returning(MailDigest.id)
    )
    return db.session.scalar(statement)


def _settings_path() -> str:
    from flask import url_for

    return url_for("notifications.settings")


def _queue_digest(user: User, period: Period, items: list[Notification],
                  settings_url: str) -> None:
    from app.notifications.services import KINDS

    groups: dict[str, list[Notification]] = defaultdict(list)
    for item in items:
        groups[item.kind].append(item)
    sections = [(KINDS[kind], [(n, mail.public_url(n.url) if n.url else "")
                               for n in groups[kind]])
                for kind in KINDS if kind in groups]
    unsubscribe = mail.unsubscribe_link(user.id, list(groups))
    text_body, html_body = mail.render_letter(
        "digest", user=user, period=period, sections=sections, count=len(items),
        unsubscribe_url=unsubscribe, settings_url=settings_url,
        notifications_url=mail.public_url(_notifications_path()),
    )
    subject = f"{period.title}: {_count(len(items))}"
    mail.queue(user, subject, text_body, html_body, unsubscribe)


def _notifications_path() -> str:
    from flask import url_for

    return url_for("notifications.index")


def _count(n: int) -> str:
    from app.i18n import plural

    return plural(n, "уведомление", "уведомления", "уведомлений")
