"""The calendar across the member's communities: /calendar/ (a month grid), /calendar/upcoming
(a list), /calendar/feeds (the subscription links) and the iCalendar feeds themselves.

The feeds are fetched by calendar applications, which don't log in: the URL carries the
member's secret token (CalendarFeed). Resetting the token stops every old URL at once."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from app import htmx
from app.auth.models import User
from app.communities.models import Community, Membership
from app.events.ical import CALENDAR_STATUSES, build_calendar, ics_response, uid_host
from app.events.models import (
    CalendarFeed,
    Event,
    EventOrganiser,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from app.events.permissions import can_manage_events
from app.events.services import to_local, zone
from app.extensions import db
from app.mixins import utcnow
from app.pagination import paginate
from app.permissions import memberships_of
from app.ui import url

calendar_bp = Blueprint("calendar", __name__)

UPCOMING_PER_PAGE = 20
MY_FEED_PAST = timedelta(days=90)  # «мои мероприятия»: the last 90 days and the future
COMMUNITY_FEED_PAST = timedelta(days=365)  # a community's feed: the last year and the future
FEED_MAX_AGE = 15 * 60  # seconds a calendar application (or a proxy) may reuse a feed
FEED_REFRESH = timedelta(hours=1)  # how often we ask calendar applications to look again

MONTHS = ("Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август",
          "Сентябрь", "Октябрь", "Ноябрь", "Декабрь")
WEEKDAYS = (("Пн", "Понедельник"), ("Вт", "Вторник"), ("Ср", "Среда"), ("Чт", "Четверг"),
            ("Пт", "Пятница"), ("Сб", "Суббота"), ("Вс", "Воскресенье"))
_MONTH_ARG = re.compile(r"(\d{4})-(\d{2})")


# --- feed tokens (services: the actor explicit, flush, never commit) ----------------------


def feed_of(user: User) -> CalendarFeed:
    """The member's feed token, issued on first use."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.flush()
    return feed


def reset_feed(user: User) -> CalendarFeed:
    """A new token: every URL with the old one answers 404 from now on."""
    feed = feed_of(user)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = utcnow()
    db.session.flush()
    return feed


def _feed_or_404(token: str) -> CalendarFeed:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token)) \
        if 20 <= len(token) <= 64 else None
    if feed is None:
        abort(404)
    return feed


def _active_communities(user_id: int) -> list[Community]:
    """The communities the user is a member of now (no request cache: feeds have no login)."""
    return list(db.session.scalars(
        select(Community).join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user_id, Membership.left_at.is_(None))
        .order_by(Community.name)))


# --- queries -------------------------------------------------------------------------------


def my_communities() -> list[Community]:
    ids = list(memberships_of(current_user))
    if not ids:
        return []
    return list(db.session.scalars(
        select(Community).where(Community.id.in_(ids)).order_by(Community.name)))


def chosen_communities(communities: list[Community]) -> tuple[list[Community], str]:
    """The community filter (?community=<id>): one of the member's own, else all of them."""
    raw = request.args.get("community", "").strip()
    picked = [c for c in communities if str(c.id) == raw]
    return (picked, raw) if picked else (communities, "")


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """What the month grid shows of an event: a plain row, not an ORM object (a month of a
    hundred events cost more in building objects than in rendering them)."""

    id: int
    community_id: int
    title: str
    status: EventStatus
    starts_at: datetime

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


def calendar_events(user: User, communities: list[Community], since: datetime,
                    until: datetime) -> list[CalendarEvent]:
    """Events starting in [since, until) (naive UTC) of these communities that a calendar
    shows: published, finished and cancelled ones; drafts only to those who may organise
    them (can_organise: the event managers of the community and the event's organisers)."""
    if not communities:
        return []
    managed = [c.id for c in communities if can_manage_events(user, c)]
    drafts_ok = Event.id.in_(
        select(EventOrganiser.event_id).where(EventOrganiser.user_id == user.id))
    if managed:
        drafts_ok = drafts_ok | Event.community_id.in_(managed)
    return [CalendarEvent(*row) for row in db.session.execute(
        select(Event.id, Event.community_id, Event.title, Event.status, Event.starts_at)
        .where(Event.community_id.in_([c.id for c in communities]),
               Event.starts_at >= since, Event.starts_at < until,
               Event.status.in_(CALENDAR_STATUSES) | drafts_ok)
        .order_by(Event.starts_at, Event.id))]


# --- the month grid ------------------------------------------------------------------------


def platform_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def parse_month(raw: str | None, today: date) -> tuple[date, bool]:
    """`YYYY-MM` → its first day and True; anything else → this month and False (unless
    nothing was asked)."""
    if raw:
        match = _MONTH_ARG.fullmatch(raw.strip())
        if match:
            year, month = int(match[1]), int(match[2])
            if 1900 <= year <= 2200 and 1 <= month <= 12:
                return date(year, month, 1), True
        return today.replace(day=1), False
    return today.replace(day=1), True


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_label(first: date) -> str:
    return f"{MONTHS[first.month - 1]} {first.year}"


@dataclass
class Entry:
    """One event in a cell of the grid, in its community's time."""

    event: CalendarEvent
    community: Community
    starts: datetime  # aware, in the community's zone
    zone_note: str  # «UTC+5» when the community's zone is not the platform's

    def html(self) -> Markup:
        """The entry's `<li>`, from a per-process cache keyed by everything it shows, so a
        month of a hundred events costs a hundred look-ups, not a hundred renderings."""
        e = self.event
        return Markup(_entry_html(
            title=e.title, cancelled=e.is_cancelled, draft=e.status == EventStatus.DRAFT,
            starts_iso=self.starts.isoformat(timespec="minutes"),
            starts_hm=self.starts.strftime("%H:%M"), zone_note=self.zone_note,
            href=url("events.event", community_slug=self.community.slug, event_id=e.id),
            community_name=self.community.name,
        ))


@lru_cache(maxsize=4096)
def _entry_html(**values) -> str:
    return render_template("calendar/_event_entry.html", **values)


def grid_body(weeks: list[list[Day]]) -> Markup:
    """The grid's `<tbody>`, cached per process under each day's date, place and entries:
    the same month with the same events is one look-up."""
    key = tuple(tuple((d.day, d.in_month, d.is_today, tuple(e.html() for e in d.entries))
                      for d in week) for week in weeks)
    return Markup(_grid_body(key))


@lru_cache(maxsize=512)
def _grid_body(key: tuple) -> str:
    weeks = [[SimpleNamespace(day=day, in_month=in_month, is_today=is_today, entries=entries)
              for day, in_month, is_today, entries in week] for week in key]
    return render_template("calendar/_grid_body.html", weeks=weeks)


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


def _zone_note(community: Community, moment: datetime, platform: ZoneInfo) -> str:
    if zone(community).key == platform.key:
        return ""
    offset = moment.utcoffset() or timedelta()
    hours, rest = divmod(int(offset.total_seconds()) // 60, 60)
    return f"UTC{'+' if offset >= timedelta() else '−'}{abs(hours)}" + (
        f":{rest:02d}" if rest else "")


def month_grid(first: date, today: date, events: list[CalendarEvent],
               communities: dict[int, Community]) -> list[list[Day]]:
    """Weeks Monday to Sunday covering the month; each event on its local start day."""
    start = first - timedelta(days=first.weekday())
    after = shift_month(first, 1)
    end = after + timedelta(days=(7 - after.weekday()) % 7)
    days = {}
    cursor = start
    while cursor < end:
        days[cursor] = Day(cursor, cursor.month == first.month, cursor == today)
        cursor += timedelta(days=1)
    platform = platform_zone()
    for event in events:
        community = communities[event.community_id]
        local = to_local(event.starts_at, community)
        cell = days.get(local.date())
        if cell is not None:
            cell.entries.append(Entry(event, community, local,
                                      _zone_note(community, local, platform)))
    for cell in days.values():
        cell.entries.sort(key=lambda e: (e.event.starts_at, e.event.id))
    ordered = list(days.values())
    return [ordered[i:i + 7] for i in range(0, len(ordered), 7)]


@calendar_bp.get("/")
@login_required
def month():
    """The month grid of every community of mine (or one, ?community=<id>)."""
    today = datetime.now(platform_zone()).date()
    first, valid = parse_month(request.args.get("month"), today)
    communities = my_communities()
    shown, chosen = chosen_communities(communities)
    start = first - timedelta(days=first.weekday())
    # Wide enough in UTC for every zone (UTC−12 … UTC+14); month_grid keeps the local days.
    since = datetime.combine(start, datetime.min.time()) - timedelta(days=1)
    until = datetime.combine(shift_month(first, 1), datetime.min.time()) + timedelta(days=8)
    events = calendar_events(current_user, shown, since, until)
    weeks = month_grid(first, today, events, {c.id: c for c in communities})
    ctx = dict(
        weeks=weeks, first=first, title=month_label(first), valid=valid,
        bad_month=None if valid else request.args.get("month", ""),
        prev=shift_month(first, -1), next=shift_month(first, 1),
        current=today.replace(day=1), month_label=month_label, weekdays=WEEKDAYS,
        communities=communities, chosen=chosen, event_count=len(events),
        status_draft=EventStatus.DRAFT, grid_body=grid_body,
    )
    return htmx.render("calendar/_month.html", "calendar/month.html", **ctx)


# --- upcoming ------------------------------------------------------------------------------


@dataclass
class Row:
    """One event of the upcoming list, in its community's time."""

    event: Event
    community: Community
    starts: datetime  # aware, the community's zone
    ends: datetime
    when: str  # «пт, 6 марта 2026 г., 10:00–12:00»
    zone_note: str  # «UTC+5» when the community's zone is not the platform's
    state: str | None  # my registration's status: confirmed, waitlisted or None


def when(starts: datetime, ends: datetime) -> str:
    day = format_datetime(starts, "EEE, d MMMM y\u00a0'г.', HH:mm", tzinfo=starts.tzinfo,
                          locale="ru")
    if ends.date() == starts.date():
        return f"{day}–{ends:%H:%M}"
    return f"{day} — {format_datetime(ends, 'd MMMM, HH:mm', tzinfo=ends.tzinfo, locale='ru')}"


@calendar_bp.get("/upcoming")
@login_required
def upcoming():
    """Published events of my communities that have not ended yet, soonest first, with my
    sign-up state. A fixed number of queries whatever the page holds."""
    communities = my_communities()
    shown, chosen = chosen_communities(communities)
    ids = [c.id for c in shown]
    now = utcnow()
    query = (select(Event).options(lazyload(Event.organisers))
             .where(Event.community_id.in_(ids), Event.status == EventStatus.PUBLISHED,
                    Event.ends_at > now)
             .order_by(Event.starts_at, Event.id))
    page = paginate(query, UPCOMING_PER_PAGE)
    states = {}
    if page.items:
        states = dict(db.session.execute(
            select(Registration.event_id, Registration.status).where(
                Registration.user_id == current_user.id,
                Registration.event_id.in_([e.id for e in page.items]),
                Registration.status != RegistrationStatus.CANCELLED)).all())
    by_id = {c.id: c for c in communities}
    platform = platform_zone()
    rows = []
    for e in page.items:
        community = by_id[e.community_id]
        starts, ends = to_local(e.starts_at, community), to_local(e.ends_at, community)
        rows.append(Row(e, community, starts, ends, when(starts, ends),
                        _zone_note(community, starts, platform), states.get(e.id)))
    args = {"community": chosen} if chosen else {}
    return htmx.render(
        "calendar/_upcoming_rows.html", "calendar/upcoming.html",
        page=page, rows=rows, args=args, communities=communities, chosen=chosen,
        CONFIRMED=RegistrationStatus.CONFIRMED, WAITLISTED=RegistrationStatus.WAITLISTED,
    )


# --- subscription links --------------------------------------------------------------------


@calendar_bp.get("/feeds")
@login_required
def feeds():
    """My feed links. A page view writes nothing: the first links are issued by a button."""
    feed = db.session.get(CalendarFeed, current_user.id)
    return render_template("calendar/feeds.html", feed=feed, communities=my_communities())


@calendar_bp.post("/feeds/reset")
@login_required
def reset_feeds():
    """The first links, or new ones instead of the old."""
    first = db.session.get(CalendarFeed, current_user.id) is None
    try:
        reset_feed(current_user)
        db.session.commit()
    except IntegrityError:  # issued at the same moment by another tab: that one stands
        db.session.rollback()
    if first:
        flash(_("Ссылки для подписки готовы."), "success")
    else:
        flash(_("Выданы новые ссылки. Старые больше не работают: обновите подписки "
                "в своих календарях."), "success")
    return redirect(url_for(".feeds"), 303)


# --- the feeds (no login: the token is the key) ------------------------------------------


@calendar_bp.get("/feed/<token>/my.ics")
def my_feed(token: str):
    """«Мои мероприятия»: what the member is signed up for (confirmed or waiting), in
    communities they are still in, from 90 days ago on."""
    feed = _feed_or_404(token)
    communities = {c.id: c for c in _active_communities(feed.user_id)}
    rows = db.session.execute(
        select(Event, Registration.status)
        .join(Registration, Registration.event_id == Event.id)
        .options(lazyload(Event.organisers))
        .where(Registration.user_id == feed.user_id,
               Registration.status.in_([RegistrationStatus.CONFIRMED,
                                        RegistrationStatus.WAITLISTED]),
               Event.status.in_(CALENDAR_STATUSES),
               Event.community_id.in_(list(communities)),
               Event.ends_at >= utcnow() - MY_FEED_PAST)
        .order_by(Event.starts_at, Event.id)).all() if communities else []
    items = [(event, communities[event.community_id], status == RegistrationStatus.WAITLISTED)
             for event, status in rows]
    cal = build_calendar(items, uid=f"feed-my-{feed.user_id}@{uid_host()}",
                         name="Мои мероприятия — Сообщество", refresh=FEED_REFRESH)
    return ics_response(cal, filename="my.ics", attachment=False, max_age=FEED_MAX_AGE)


@calendar_bp.get("/feed/<token>/c/<community_slug>.ics")
def community_feed(token: str):
    """Every published (or since finished or cancelled) event of a community the token's
    member is still in, from a year ago on; 404 once they have left. (The app-wide URL
    preprocessor has loaded g.community from the slug, or answered 404.)"""
    feed = _feed_or_404(token)
    community = g.community
    if not db.session.scalar(select(Membership.id).where(
            Membership.user_id == feed.user_id, Membership.community_id == community.id,
            Membership.left_at.is_(None))):
        abort(404)
    events = db.session.scalars(
        select(Event).options(lazyload(Event.organisers))
        .where(Event.community_id == community.id, Event.status.in_(CALENDAR_STATUSES),
               Event.ends_at >= utcnow() - COMMUNITY_FEED_PAST)
        .order_by(Event.starts_at, Event.id)).all()
    cal = build_calendar(((e, community, False) for e in events),
                         uid=f"feed-community-{community.id}@{uid_host()}",
                         name=f"{community.name} — мероприятия", refresh=FEED_REFRESH)
    return ics_response(cal, filename=f"{community.slug}.ics", attachment=False,
                        max_age=FEED_MAX_AGE)

