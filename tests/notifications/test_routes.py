"""Notifications: the notify() service, the header bell, the list and marking read."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import mark_read, notify
from tests import factories
from tests.helpers import HX, count_queries, text
from tests.keyset import (
    assert_bad_positions_give_the_first_page,
    assert_late_page_costs_the_first,
    load_more_href,
    walk,
    walked_ids,
)


def send(user, text_: str = "Вы приняты в сообщество", kind: str = "admission",
         url: str = "", read: bool = False) -> Notification:
    notification = notify(user, kind, text_, url)
    if read:
        mark_read(notification, user)
    db.session.commit()
    return notification


def unread_of(user) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def bell_count(body: str) -> str | None:
    match = re.search(r'<span class="count" aria-hidden="true">(\d+)</span>', body)
    return match.group(1) if match else None


@pytest.fixture
def user(app):
    return factories.make_user(full_name="Читателева Ольга")


@pytest.fixture
def reader(app, user):
    return app.test_client(user=user)


# --- the service -----------------------------------------------------------------------


def test_notify_creates_an_unread_row(user):
    notification = notify(user, "reply", "Вам ответили в теме «План на год»", "/c/x/forum/1")
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Notification, notification.id)
    assert stored.user_id == user.id
    assert stored.kind == "reply"
    assert stored.text == "Вам ответили в теме «План на год»"
    assert stored.url == "/c/x/forum/1"
    assert stored.read_at is None
    assert stored.is_unread
    assert stored.created_at is not None


def test_notify_cuts_overlong_text(user):
    notification = notify(user, "event", "Я" * 5000)
    db.session.commit()

    assert len(db.session.get(Notification, notification.id).text) == 2000


def test_notify_refuses_an_unknown_kind(user):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(user, "newsletter", "Рассылка")

    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0


# --- the bell --------------------------------------------------------------------------


def test_bell_in_the_header_counts_unread(reader, user):
    send(user, "Первое")
    send(user, "Второе")
    send(user, "Прочитанное", read=True)
    send(factories.make_user(), "Чужое")

    response = reader.get("/")

    body = text(response)
    assert response.status_code == 200
    assert 'id="bell"' in body
    assert "Уведомления" in body
    assert bell_count(body) == "2"
    assert "2 непрочитанных" in body


def test_bell_shows_no_count_without_unread(reader, user):
    send(user, "Прочитанное", read=True)

    response = reader.get("/")

    assert 'id="bell"' in text(response)
    assert bell_count(text(response)) is None


def test_anonymous_page_has_no_bell(client, user):
    send(user)

    response = client.get("/")

    assert response.status_code == 200
    assert 'id="bell"' not in text(response)


def test_bell_partial(reader, user):
    send(user)

    response = reader.get("/notifications/bell", headers=HX)

    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<a id="bell"')
    assert "Уведомления" in body
    assert bell_count(body) == "1"
    assert "1 непрочитанное" in body


# --- the list --------------------------------------------------------------------------


def test_list_shows_own_notifications_newest_first(reader, user):
    send(user, "Старое уведомление")
    send(user, "Новое уведомление о заседании", kind="plan", url="/c/tula/")
    send(factories.make_user(), "Чужое уведомление")

    response = reader.get("/notifications/")

    body = text(response)
    assert response.status_code == 200
    assert "<html" in body
    assert "Старое уведомление" in body
    assert "Новое уведомление о заседании" in body
    assert "Чужое уведомление" not in body
    assert body.index("Новое уведомление о заседании") < body.index("Старое уведомление")
    assert '<a href="/c/tula/">Новое уведомление о заседании</a>' in body
    assert "Отметить прочитанным" in body


def test_list_when_empty(reader):
    response = reader.get("/notifications/")

    assert response.status_code == 200
    assert "Уведомлений пока нет." in text(response)


def test_list_escapes_notification_text(reader, user):
    send(user, "<script>alert(1)</script>")

    body = text(reader.get("/notifications/"))

    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_list_htmx_request_gets_rows_only(reader, user):
    notification = send(user, "Строка списка")

    response = reader.get("/notifications/", headers=HX)

    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="notification-{notification.id}"' in body


def test_list_query_count_does_not_grow(reader, user):
    reader.get("/notifications/")  # warm-up: the first request of a client
    for n in range(3):
        send(user, f"Уведомление {n}")
    with count_queries() as few:
        response = reader.get("/notifications/")
    assert response.status_code == 200

    for n in range(3, 30):
        send(user, f"Уведомление {n}")
    with count_queries() as many:
        response = reader.get("/notifications/")

    assert response.status_code == 200
    assert text(response).count('class="notification unread"') == 30
    assert many.count == few.count


def test_list_is_paginated(app, reader, user):
    per_page = app.config["PAGE_SIZE"]
    for n in range(per_page + 1):
        send(user, f"Уведомление № {n}")

    first = text(reader.get("/notifications/"))
    second = text(reader.get(load_more_href(first), headers=HX))

    assert first.count('class="notification unread"') == per_page
    assert "Показать ещё" in first
    assert "Уведомление № 0<" not in first
    assert second.count('class="notification unread"') == 1
    assert "Уведомление № 0" in second
    assert "<html" not in second and "Показать ещё" not in second


def test_show_more_walks_every_notification_once_newest_first(app, monkeypatch, reader, user):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    mine = [send(user, f"Уведомление № {n}", read=n % 3 == 0).id for n in range(10)]
    someone_else = send(factories.make_user(), "Чужое уведомление")

    bodies = walk(reader, "/notifications/")

    assert walked_ids(bodies, "notification") == sorted(mine, reverse=True)
    assert someone_else.id not in walked_ids(bodies, "notification")
    assert_late_page_costs_the_first(reader, "/notifications/", load_more_href(bodies[-2]))
    assert_bad_positions_give_the_first_page(reader, "/notifications/", "notification")


# --- marking read ----------------------------------------------------------------------


def test_mark_read_redirects_to_the_list(reader, user):
    notification = send(user)

    response = reader.post(f"/notifications/{notification.id}/read")

    assert response.status_code == 303
    assert response.headers["Location"] == "/notifications/"
    assert unread_of(user) == 0
    assert db.session.get(Notification, notification.id).read_at is not None


def test_mark_read_with_htmx_returns_the_row(reader, user):
    notification = send(user, "Вас назначили экспертом")
    other = send(user, "Другое уведомление")

    response = reader.post(f"/notifications/{notification.id}/read", headers=HX)

    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="notification-{notification.id}"' in body
    assert "Вас назначили экспертом" in body
    assert "Новое" not in body
    assert "Отметить прочитанным" not in body
    assert "notifications-changed" in json.loads(response.headers["HX-Trigger"])
    assert db.session.get(Notification, notification.id).read_at is not None
    assert db.session.get(Notification, other.id).read_at is None


def test_mark_read_twice_keeps_the_first_time(reader, user):
    notification = send(user)
    reader.post(f"/notifications/{notification.id}/read")
    db.session.expire_all()
    first = db.session.get(Notification, notification.id).read_at

    response = reader.post(f"/notifications/{notification.id}/read")

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at == first


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_another_users_notification_is_404(reader, headers):
    foreign = send(factories.make_user(), "Чужое")

    response = reader.post(f"/notifications/{foreign.id}/read", headers=headers)

    assert response.status_code == 404
    assert "Страница не найдена" in text(response)
    db.session.expire_all()
    assert db.session.get(Notification, foreign.id).read_at is None


def test_unknown_notification_is_404(reader):
    response = reader.post("/notifications/99999/read")

    assert response.status_code == 404


def test_mark_read_is_post_only(reader, user):
    notification = send(user)

    response = reader.get(f"/notifications/{notification.id}/read")

    assert response.status_code == 405
    assert unread_of(user) == 1


def test_read_all_marks_only_own_notifications(reader, user):
    for n in range(3):
        send(user, f"Моё {n}")
    stranger = factories.make_user()
    send(stranger, "Чужое")

    response = reader.post("/notifications/read-all")

    assert response.status_code == 303
    assert response.headers["Location"] == "/notifications/"
    assert unread_of(user) == 0
    assert unread_of(stranger) == 1


def test_read_all_flashes_a_message(reader, user):
    send(user)

    response = reader.post("/notifications/read-all", follow_redirects=True)

    body = text(response)
    assert response.status_code == 200
    assert "Все уведомления отмечены прочитанными." in body
    assert bell_count(body) is None


# --- anonymous -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/notifications/", "/notifications/bell"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == [path]


def test_anonymous_htmx_request_gets_401_with_hx_redirect(client):
    response = client.get("/notifications/", headers=HX)

    assert response.status_code == 401
    redirect = urlsplit(response.headers["HX-Redirect"])
    assert redirect.path == "/auth/login"
    assert parse_qs(redirect.query)["next"] == ["/notifications/"]
    assert "Location" not in response.headers


@pytest.mark.parametrize("path", ["/notifications/1/read", "/notifications/read-all"])
def test_anonymous_cannot_mark_read(client, user, path):
    notification = send(user)
    path = path.replace("1", str(notification.id))

    response = client.post(path)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    assert unread_of(user) == 1


def test_the_bell_count_is_kept_not_counted(reader, user):
    from app.notifications.services import mark_all_read, notify_many, recount_unread

    other = factories.make_user()
    notify_many([user.id, other.id], "announcement", "Новое мероприятие", "/")
    first = send(user, "Первое")
    db.session.commit()
    db.session.refresh(user)
    assert user.unread_notifications == 2
    mark_read(first, user)
    mark_read(first, user)  # twice: taken away once
    db.session.commit()
    db.session.refresh(user)
    assert user.unread_notifications == 1
    with count_queries() as counter:
        body = text(reader.get("/"))
    assert bell_count(body) == "1"
    assert not [s for s in counter.statements if "count(notifications" in s.lower()]
    mark_all_read(user)
    db.session.commit()
    db.session.refresh(user)
    assert user.unread_notifications == 0
    # a repair from the rows themselves gives the same numbers
    user.unread_notifications = 7
    db.session.commit()
    recount_unread()
    db.session.commit()
    db.session.refresh(user)
    db.session.refresh(other)
    assert (user.unread_notifications, other.unread_notifications) == (0, 1)
