"""Calendars: the .ics of an event, the month grid, the upcoming list and the feeds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import current_app

from app.communities import services as communities
from app.events import services
from app.events.calendar_routes import MONTHS
from app.events.models import CalendarFeed
from app.extensions import db
from app.mixins import utcnow
from tests.events.conftest import make_event, sign_up
from tests.factories import make_community, make_membership, make_user
from tests.helpers import HX, count_queries, text

EKB = "Asia/Yekaterinburg"


@pytest.fixture
def ekb(people):
    """A community in Yekaterinburg (UTC+5), with the member and its own coordinator."""
    community = make_community(admin=people["admin"], timezone=EKB,
                               name="Педагоги Екатеринбурга")
    make_membership(people["member"], community)
    coordinator = make_user(full_name="Уральская Ирина")
    make_membership(coordinator, community, "coordinator")
    people["ekb_coordinator"] = coordinator
    return community


def ics_of(response) -> icalendar.Calendar:
    assert response.status_code == 200, text(response)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.get_data())


def cancel(event, community, actor, reason="Лектор заболел"):
    with current_app.test_request_context("/"):
        services.cancel_event(event, community, actor, reason)
        db.session.commit()


# --- the .ics of one event ---------------------------------------------------------------


def test_event_ics_is_in_the_communitys_zone(app, people, ekb):
    event = make_event(ekb, people["ekb_coordinator"], title="Семинар: «ФГОС/2031»",
                       description="Приносите **ноутбуки**.",
                       starts_at=datetime(2031, 3, 1, 5, 0), ends_at=datetime(2031, 3, 1, 7, 30))
    response = app.test_client(user=people["member"]).get(
        f"/c/{ekb.slug}/events/{event.id}.ics")
    cal = ics_of(response)
    (vevent,) = cal.events
    assert vevent["DTSTART"].params["TZID"] == EKB
    assert vevent["DTEND"].params["TZID"] == EKB
    # 05:00 UTC is 10:00 in Yekaterinburg (in Moscow it would be 08:00).
    assert vevent.start.replace(tzinfo=None) == datetime(2031, 3, 1, 10, 0)
    assert vevent.end.replace(tzinfo=None) == datetime(2031, 3, 1, 12, 30)
    assert [tz["TZID"] for tz in cal.timezones] == [EKB]
    assert str(vevent["UID"]) == f"event-{event.id}@localhost"
    assert str(vevent["SUMMARY"]) == "Семинар: «ФГОС/2031»"
    assert "Приносите **ноутбуки**." in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == "Тула, ул. Ленина, 1, актовый зал"
    assert str(vevent["URL"]) == f"http://localhost/c/{ekb.slug}/events/{event.id}"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in vevent and "LAST-MODIFIED" in vevent
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Семинар «ФГОС 2031».ics"


def test_cancelled_event_ics_says_cancelled(app, people, ekb):
    event = make_event(ekb, people["ekb_coordinator"], format="online", place="",
                       online_url="https://meet.example.org/room")
    cancel(event, ekb, people["ekb_coordinator"])
    cal = ics_of(app.test_client(user=people["member"]).get(
        f"/c/{ekb.slug}/events/{event.id}.ics"))
    (vevent,) = cal.events
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["LOCATION"]) == "https://meet.example.org/room"
    assert "Лектор заболел" in str(vevent["DESCRIPTION"])


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("outsider", 403), ("other_coordinator", 403),
    ("member", 200), ("coordinator", 200), ("admin", 200),
])
def test_event_ics_access(client_as, people, community, role, status):
    event = make_event(community, people["coordinator"])
    response = client_as(role).get(f"/c/{community.slug}/events/{event.id}.ics")
    assert response.status_code == status


def test_draft_ics_only_for_organisers(client_as, people, community):
    draft = make_event(community, people["coordinator"], publish=False)
    url = f"/c/{community.slug}/events/{draft.id}.ics"
    assert client_as("member").get(url).status_code == 404
    assert client_as("coordinator").get(url).status_code == 200


def test_event_ics_of_another_community_is_404(client_as, people, community):
    event = make_event(people["other_community"], people["other_coordinator"])
    response = client_as("member").get(f"/c/{community.slug}/events/{event.id}.ics")
    assert response.status_code == 404


# --- the month grid ----------------------------------------------------------------------


def day_cell(html: str, day: str) -> str:
    """The grid cell of `day` (YYYY-MM-DD)."""
    match = re.search(rf'datetime="{day}">.*?</td>', html, re.S)
    assert match, f"no cell for {day}"
    return match.group(0)


def test_month_shows_events_on_their_local_day(app, people, ekb):
    # 23:30 UTC on 14 March is 04:30 on 15 March in Yekaterinburg.
    make_event(ekb, people["ekb_coordinator"], title="Ночной вебинар",
               starts_at=datetime(2031, 3, 14, 23, 30))
    html = text(app.test_client(user=people["member"]).get("/calendar/?month=2031-03"))
    assert "Март 2031" in html
    assert "Ночной вебинар" in day_cell(html, "2031-03-15")
    assert "Ночной вебинар" not in day_cell(html, "2031-03-14")
    cell = day_cell(html, "2031-03-15")
    assert "04:30" in cell and "UTC+5" in cell and "Педагоги Екатеринбурга" in cell


def test_month_grid_runs_monday_to_sunday(client_as):
    html = text(client_as("member").get("/calendar/?month=2031-03"))
    heads = re.findall(r'<abbr title="([^"]+)">', html)
    assert heads == ["Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота",
                     "Воскресенье"]
    # 1 March 2031 is a Saturday: the grid starts on Monday 24 February, ends Sunday 6 April.
    days = re.findall(r'class="day-number" datetime="([\d-]+)"', html)
    assert days[0] == "2031-02-24" and days[-1] == "2031-04-06" and len(days) % 7 == 0


def test_month_lists_my_communities_only_with_cancelled_marked(client_as, people, community):
    make_event(community, people["coordinator"], title="Открытый урок",
               starts_at=datetime(2031, 5, 12, 9, 0))
    cancelled = make_event(community, people["coordinator"], title="Отменённый семинар",
                           starts_at=datetime(2031, 5, 13, 9, 0))
    cancel(cancelled, community, people["coordinator"])
    make_event(community, people["coordinator"], title="Черновик плана", publish=False,
               starts_at=datetime(2031, 5, 14, 9, 0))
    make_event(people["other_community"], people["other_coordinator"], title="Чужое событие",
               starts_at=datetime(2031, 5, 15, 9, 0))
    html = text(client_as("member").get("/calendar/?month=2031-05"))
    assert "Открытый урок" in day_cell(html, "2031-05-12")
    cell = day_cell(html, "2031-05-13")
    assert "<s>Отменённый семинар</s>" in cell and "отменено" in cell
    assert "Черновик плана" not in html
    assert "Чужое событие" not in html
    # The coordinator organises the draft, so it is on their calendar, marked.
    html = text(client_as("coordinator").get("/calendar/?month=2031-05"))
    assert "Черновик плана" in day_cell(html, "2031-05-14")
    assert "черновик" in day_cell(html, "2031-05-14")


def test_month_entry_cache_follows_the_event(client_as, people, community):
    """Entries are cached per process by what they show: a renamed, moved or cancelled
    event is shown as it is now, and the draft badge never leaks to the published one."""
    event = make_event(community, people["coordinator"], title="Семинар до правки",
                       starts_at=datetime(2031, 5, 12, 9, 0))
    client = client_as("member")
    assert "Семинар до правки" in day_cell(text(client.get("/calendar/?month=2031-05")),
                                            "2031-05-12")
    event.title = "Семинар после правки"
    event.starts_at = datetime(2031, 5, 20, 9, 0)
    event.ends_at = datetime(2031, 5, 20, 11, 0)
    db.session.commit()
    html = text(client.get("/calendar/?month=2031-05"))
    assert "Семинар до правки" not in html
    assert "Семинар после правки" in day_cell(html, "2031-05-20")
    assert "Семинар" not in day_cell(html, "2031-05-12")
    cancel(event, community, people["coordinator"])
    cell = day_cell(text(client.get("/calendar/?month=2031-05")), "2031-05-20")
    assert "<s>Семинар после правки</s>" in cell and "отменено" in cell


def test_month_filter_by_community(client_as, people, community, ekb):
    make_event(community, people["coordinator"], title="Тульское событие",
               starts_at=datetime(2031, 5, 12, 9, 0))
    make_event(ekb, people["ekb_coordinator"], title="Уральское событие",
               starts_at=datetime(2031, 5, 13, 9, 0))
    client = client_as("member")
    both = text(client.get("/calendar/?month=2031-05"))
    assert "Тульское событие" in both and "Уральское событие" in both
    only = text(client.get(f"/calendar/?month=2031-05&community={ekb.id}"))
    assert "Уральское событие" in only and "Тульское событие" not in only
    assert f'<option value="{ekb.id}" selected>' in only
    # Not one of mine: ignored, my communities are shown (nothing of the other one).
    other = people["other_community"]
    make_event(other, people["other_coordinator"], title="Чужое событие",
               starts_at=datetime(2031, 5, 14, 9, 0))
    foreign = text(client.get(f"/calendar/?month=2031-05&community={other.id}"))
    assert "Чужое событие" not in foreign and "Тульское событие" in foreign


def test_month_navigation_plain_and_htmx(client_as):
    client = client_as("member")
    page = text(client.get("/calendar/?month=2031-01"))
    assert "Январь 2031" in page and "<html" in page
    assert 'href="/calendar/?month=2030-12" rel="prev"' in page
    assert 'href="/calendar/?month=2031-02" rel="next"' in page
    assert 'data-hx-get="/calendar/?month=2031-02"' in page
    partial = client.get("/calendar/?month=2031-02", headers=HX)
    body = text(partial)
    assert partial.status_code == 200
    assert "<html" not in body and 'id="calendar-month"' in body and "Февраль 2031" in body
    assert "HX-Request" in partial.headers["Vary"]
    # December → January of the next year.
    assert 'href="/calendar/?month=2032-01" rel="next"' in text(
        client.get("/calendar/?month=2031-12"))


@pytest.mark.parametrize("bad", ["2031-13", "2031-00", "март", "99999-01", "2031-1", "0001-01"])
def test_bad_month_falls_back_to_this_month(client_as, bad):
    response = client_as("member").get("/calendar/", query_string={"month": bad})
    assert response.status_code == 200
    html = text(response)
    assert "Не удалось понять месяц" in html
    today = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    assert f'<h2 id="calendar-title">{MONTHS[today.month - 1]} {today.year}</h2>' in html


def test_month_marks_today(client_as):
    html = text(client_as("member").get("/calendar/"))
    assert html.count('aria-current="date"') == 1
    assert "Не удалось понять месяц" not in html


def test_month_without_communities(client_as):
    html = text(client_as("outsider").get("/calendar/"))
    assert "Вы пока не состоите ни в одном сообществе" in html


# --- upcoming ----------------------------------------------------------------------------


def test_upcoming_lists_published_future_events_with_my_state(client_as, people, community):
    now = utcnow().replace(microsecond=0)
    soon = make_event(community, people["coordinator"], title="Скоро",
                      starts_at=now + timedelta(days=1))
    later = make_event(community, people["coordinator"], title="Позже", capacity=1,
                       starts_at=now + timedelta(days=5))
    make_event(community, people["coordinator"], title="Идёт сейчас",
               starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    make_event(community, people["coordinator"], title="Прошло",
               starts_at=now - timedelta(days=3))
    make_event(community, people["coordinator"], title="Черновик", publish=False,
               starts_at=now + timedelta(days=2))
    gone = make_event(community, people["coordinator"], title="Отменено",
                      starts_at=now + timedelta(days=2))
    cancel(gone, community, people["coordinator"])
    sign_up(soon, community, people["member"])
    sign_up(later, community, people["chair"])
    sign_up(later, community, people["member"])  # the only seat is taken: waiting list
    html = text(client_as("member").get("/calendar/upcoming"))
    assert html.index("Идёт сейчас") < html.index("Скоро") < html.index("Позже")
    for absent in ("Прошло", "Черновик", "Отменено"):
        assert absent not in html
    assert "Вы записаны" in row_of(html, soon)
    assert "В листе ожидания" in row_of(html, later)
    html = text(client_as("chair").get("/calendar/upcoming"))
    assert "Вы записаны" not in row_of(html, soon)
    assert "Вы записаны" in row_of(html, later)


def row_of(html: str, event) -> str:
    match = re.search(rf'id="event-{event.id}".*?</li>', html, re.S)
    assert match, f"event {event.id} is not listed"
    return match.group(0)


def test_upcoming_shows_more_in_pages(client_as, people, community):
    start = utcnow().replace(microsecond=0) + timedelta(days=1)
    for i in range(23):
        make_event(community, people["coordinator"], title=f"Событие № {i:02d}",
                   starts_at=start + timedelta(hours=i))
    client = client_as("member")
    first = text(client.get("/calendar/upcoming"))
    assert "Событие № 19" in first and "Событие № 20" not in first
    assert 'href="/calendar/upcoming?page=2"' in first and "Показать ещё" in first
    more = text(client.get("/calendar/upcoming?page=2", headers=HX))
    assert "<html" not in more and "Событие № 22" in more and "Событие № 00" not in more
    assert "Показать ещё" not in more


def test_upcoming_query_count_does_not_grow(app, client_as, people, community, ekb):
    start = utcnow().replace(microsecond=0) + timedelta(days=1)

    def add(n, where, who):
        for i in range(n):
            event = make_event(where, who, starts_at=start + timedelta(hours=i))
            sign_up(event, where, people["member"])

    client = client_as("member")
    add(2, community, people["coordinator"])
    client.get("/calendar/upcoming")  # warm up
    with count_queries() as few:
        assert client.get("/calendar/upcoming").status_code == 200
    add(6, community, people["coordinator"])
    add(6, ekb, people["ekb_coordinator"])
    with count_queries() as many:
        html = text(client.get("/calendar/upcoming"))
    assert html.count("Вы записаны") == 14
    assert many.count == few.count, many.statements
    assert few.count <= 6, few.statements


# --- feeds -------------------------------------------------------------------------------


def feed_token(client) -> str:
    """The member's token, issued with the page's button if they have none yet."""
    html = text(client.get("/calendar/feeds"))
    if "Получить ссылки" in html:
        assert client.post("/calendar/feeds/reset").status_code == 303
        html = text(client.get("/calendar/feeds"))
    match = re.search(r"/calendar/feed/([\w-]+)/my\.ics", html)
    assert match, html
    return match.group(1)


def uids(cal: icalendar.Calendar) -> set[str]:
    return {str(e["UID"]) for e in cal.events}


def test_feeds_page_issues_one_token(app, client_as, people, community):
    client = client_as("member")
    first = text(client.get("/calendar/feeds"))  # a view writes nothing: a button issues
    assert "Получить ссылки" in first and "/my.ics" not in first
    assert db.session.get(CalendarFeed, people["member"].id) is None
    client.post("/calendar/feeds/reset")
    assert "Ссылки для подписки готовы." in text(client.get("/calendar/feeds"))
    token = feed_token(client)
    assert len(token) >= 40
    assert feed_token(client) == token  # the same on the next visit
    html = text(client.get("/calendar/feeds"))
    assert f"http://localhost/calendar/feed/{token}/my.ics" in html
    assert f"http://localhost/calendar/feed/{token}/c/{community.slug}.ics" in html
    assert "Яндекс Календарь" in html and "Outlook" in html
    assert db.session.get(CalendarFeed, people["member"].id).token == token


def test_my_feed_lists_what_i_signed_up_for(app, client_as, people, community, ekb):
    now = utcnow().replace(microsecond=0)
    mine = make_event(community, people["coordinator"], title="Моё", capacity=1,
                      starts_at=now + timedelta(days=3))
    waiting = make_event(ekb, people["ekb_coordinator"], title="Жду места", capacity=1,
                         starts_at=now + timedelta(days=4))
    not_mine = make_event(community, people["coordinator"], title="Не моё",
                          starts_at=now + timedelta(days=5))
    dropped = make_event(community, people["coordinator"], title="Передумала",
                         starts_at=now + timedelta(days=6))
    sign_up(mine, community, people["member"])
    sign_up(waiting, ekb, people["ekb_coordinator"])
    sign_up(waiting, ekb, people["member"])
    registration = sign_up(dropped, community, people["member"])
    with current_app.test_request_context("/"):
        services.cancel_registration(registration, dropped, community, people["member"])
        db.session.commit()
    token = feed_token(client_as("member"))
    response = app.test_client().get(f"/calendar/feed/{token}/my.ics")
    cal = ics_of(response)
    assert uids(cal) == {f"event-{mine.id}@localhost", f"event-{waiting.id}@localhost"}
    assert not_mine.id
    by_uid = {str(e["UID"]): e for e in cal.events}
    assert str(by_uid[f"event-{waiting.id}@localhost"]["STATUS"]) == "TENTATIVE"
    assert by_uid[f"event-{waiting.id}@localhost"]["DTSTART"].params["TZID"] == EKB
    assert {tz["TZID"] for tz in cal.timezones} == {"Europe/Moscow", EKB}
    assert "private" in response.headers["Cache-Control"]
    assert "max-age=900" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_community_feed(app, client_as, people, community):
    now = utcnow().replace(microsecond=0)
    published = make_event(community, people["coordinator"], starts_at=now + timedelta(days=2))
    cancelled = make_event(community, people["coordinator"], starts_at=now + timedelta(days=3))
    cancel(cancelled, community, people["coordinator"])
    draft = make_event(community, people["coordinator"], publish=False,
                       starts_at=now + timedelta(days=4))
    make_event(people["other_community"], people["other_coordinator"])
    token = feed_token(client_as("member"))
    cal = ics_of(app.test_client().get(f"/calendar/feed/{token}/c/{community.slug}.ics"))
    assert uids(cal) == {f"event-{published.id}@localhost",
                         f"event-{cancelled.id}@localhost"}
    assert draft.id
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in cal.events}
    assert statuses[f"event-{cancelled.id}@localhost"] == "CANCELLED"
    # A community the member is not in, and one that does not exist.
    other = people["other_community"]
    assert app.test_client().get(f"/calendar/feed/{token}/c/{other.slug}.ics").status_code \
        == 404
    assert app.test_client().get(f"/calendar/feed/{token}/c/nope.ics").status_code == 404


def test_reset_token_kills_old_urls(app, client_as, people, community):
    client = client_as("member")
    old = feed_token(client)
    response = client.post("/calendar/feeds/reset")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/calendar/feeds")
    page = text(client.get("/calendar/feeds"))
    assert "Выданы новые ссылки" in page
    new = feed_token(client)
    assert new != old
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/feed/{old}/my.ics").status_code == 404
    assert anonymous.get(f"/calendar/feed/{old}/c/{community.slug}.ics").status_code == 404
    assert anonymous.get(f"/calendar/feed/{new}/my.ics").status_code == 200


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 200])
def test_unknown_token_is_404(app, client_as, community, token):
    feed_token(client_as("member"))
    assert app.test_client().get(f"/calendar/feed/{token}/my.ics").status_code == 404
    assert app.test_client().get(
        f"/calendar/feed/{token}/c/{community.slug}.ics").status_code == 404


def test_leaving_the_community_closes_its_feed(app, client_as, people, community):
    event = make_event(community, people["coordinator"])
    sign_up(event, community, people["member"])
    token = feed_token(client_as("member"))
    anonymous = app.test_client()
    url = f"/calendar/feed/{token}/c/{community.slug}.ics"
    assert anonymous.get(url).status_code == 200
    with current_app.test_request_context("/"):
        communities.leave(community, people["member"])
        db.session.commit()
    assert anonymous.get(url).status_code == 404
    assert uids(ics_of(anonymous.get(f"/calendar/feed/{token}/my.ics"))) == set()


def test_feeds_page_needs_login(client):
    response = client.get("/calendar/feeds")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert client.post("/calendar/feeds/reset").status_code == 302
