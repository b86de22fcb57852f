"""iCalendar (.ics): one event's file, and the calendars the feeds serve (calendar_routes).

Times are stored as naive UTC and written in the community's own zone: DTSTART;TZID=<zone>
with the VTIMEZONE that icalendar builds from the zoneinfo database, so an event at 10:00 in
Yekaterinburg stays 10:00 there and shows as 08:00 in a Moscow calendar."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar
from flask import Response, current_app, g, request, send_file, url_for

from app.communities.models import Community
from app.events.labels import FORMAT_LABELS, TYPE_LABELS
from app.events.models import Event, EventStatus
from app.events.routes import bp, event_or_404
from app.events.services import to_local

PRODID = "-//Сообщество//Мероприятия//RU"
FILENAME_MAX = 120
_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
# Statuses a calendar shows; drafts only on the month page, to those who organise them.
CALENDAR_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED)


def uid_host() -> str:
    """The host part of UIDs: stable for one installation."""
    return (current_app.config.get("SERVER_NAME") or request.host).split(":")[0]


def event_uid(event: Event) -> str:
    return f"event-{event.id}@{uid_host()}"


def revised_at(event: Event) -> datetime:
    """The last change of the event (naive UTC)."""
    return event.updated_at or event.created_at


def _utc(stored: datetime) -> datetime:
    return stored.replace(tzinfo=UTC)


def location(event: Event) -> str:
    """The place and/or the link for joining online."""
    return " · ".join(part for part in (event.place, event.online_url) if part)


def description(event: Event, community: Community, note: str = "") -> str:
    """Plain text: the Markdown source as the organisers typed it, then the facts."""
    lines = []
    if note:
        lines += [note, ""]
    if event.is_cancelled:
        reason = f" Причина: {event.cancel_reason}" if event.cancel_reason else ""
        lines += [f"Мероприятие отменено.{reason}", ""]
    if event.description.strip():
        lines += [event.description.strip(), ""]
    lines.append(f"{TYPE_LABELS.get(event.type, event.type)}, "
                 f"{FORMAT_LABELS.get(event.format, event.format).lower()}. "
                 f"Сообщество «{community.name}».")
    if event.online_url:
        lines.append(f"Ссылка для подключения: {event.online_url}")
    return "\n".join(lines)


def vevent(event: Event, community: Community, *, waitlisted: bool = False) -> icalendar.Event:
    """One VEVENT. `waitlisted`: the reader is on the waiting list (the personal feed)."""
    note = "Вы в листе ожидания: место ещё не подтверждено." if waitlisted else ""
    if event.is_cancelled:
        status = "CANCELLED"
    elif waitlisted:
        status = "TENTATIVE"
    else:
        status = "CONFIRMED"
    changed = _utc(revised_at(event))
    component = icalendar.Event.new(
        uid=event_uid(event),
        summary=event.title,
        description=description(event, community, note),
        location=location(event) or None,
        start=to_local(event.starts_at, community),
        end=to_local(event.ends_at, community),
        stamp=changed,
        last_modified=changed,
        created=_utc(event.created_at),
        status=status,
        url=url_for("events.event", community_slug=community.slug, event_id=event.id,
                    _external=True),
        categories=[TYPE_LABELS.get(event.type, event.type)],
    )
    component.add("sequence", event.sequence + (1 if event.is_cancelled else 0))
    if event.is_cancelled:
        component.add("transp", "TRANSPARENT")
    return component


def build_calendar(items: Iterable[tuple[Event, Community, bool]], *, uid: str,
                   name: str | None = None, refresh: timedelta | None = None
                   ) -> icalendar.Calendar:
    """A VCALENDAR of (event, its community, reader is waitlisted) with the VTIMEZONE of
    every zone used, from the earliest event's year on (not from 1970: smaller files)."""
    cal = icalendar.Calendar.new(prodid=PRODID, uid=uid, name=name, refresh_interval=refresh)
    cal.add("calscale", "GREGORIAN")
    if refresh is not None:
        cal.add("x-published-ttl", refresh)  # Outlook's and Google's name for it
    earliest: date | None = None
    for event, community, waitlisted in items:
        cal.add_component(vevent(event, community, waitlisted=waitlisted))
        local_day = to_local(event.starts_at, community).date()
        earliest = local_day if earliest is None else min(earliest, local_day)
    if earliest is not None:
        cal.add_missing_timezones(first_date=date(earliest.year, 1, 1))
    return cal


def download_name(title: str) -> str:
    """«<title>.ics», without characters file systems refuse."""
    safe = " ".join(_UNSAFE_FILENAME.sub(" ", title).split()).strip(" .") or "event"
    return f"{safe[:FILENAME_MAX].rstrip()}.ics"


def ics_response(cal: icalendar.Calendar, *, filename: str, attachment: bool = True,
                 max_age: int | None = None) -> Response:
    """text/calendar; charset=utf-8, a UTF-8 (Cyrillic) file name; private caching."""
    response = send_file(io.BytesIO(cal.to_ical()), mimetype="text/calendar",
                         as_attachment=attachment, download_name=filename, etag=False,
                         conditional=False, max_age=None)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.cache_control.private = True
    response.cache_control.public = False
    if max_age is not None:
        response.cache_control.max_age = max_age
    else:
        response.cache_control.no_cache = True
    return response


@bp.get("/<int:event_id>.ics")
def ics(event_id: int):
    """The event's .ics: for whoever may see the event (the blueprint lets members in;
    event_or_404 hides drafts from all but their organisers)."""
    event = event_or_404(event_id)
    community = g.community
    cal = build_calendar([(event, community, False)],
                         uid=f"event-file-{event.id}@{uid_host()}")
    return ics_response(cal, filename=download_name(event.title))
