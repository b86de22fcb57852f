"""The public page «Персональные данные», the links to it and to «Мои данные», and the
administrators' log of requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.communities.models import ConsentDocument, ConsentKind
from app.extensions import db
from app.mixins import utcnow
from app.privacy.models import DataRequest
from tests.helpers import HX, text
from tests.keyset import (
    assert_bad_positions_give_the_first_page,
    assert_late_page_costs_the_first,
    load_more_href,
    walk,
    walked_ids,
)

ROW = re.compile(r'<tr id="data-request-\d+">')


def test_policy_is_public_with_consent_and_charters(client, people, community):
    other = people["other_community"]
    page = client.get("/privacy")
    assert page.status_code == 200
    body = text(page)
    assert "<h1>Персональные данные</h1>" in body
    assert "Политика обработки персональных данных" in body
    for heading in ("Какие данные обрабатываются", "Цели обработки", "Правовое основание",
                    "Ваши права", "Что происходит при удалении учётной записи",
                    "Как обратиться к оператору"):
        assert heading in body
    assert "152-ФЗ" in body and "«Удалённый участник»" in body
    # The current consent text, version 1 (no earlier ones yet).
    assert "Действующая редакция 1" in body and "<h3>Прежние редакции</h3>" not in body
    assert "Я даю согласие оператору интернет-площадки" in body
    # Every community's charter, linked.
    for c in (community, other):
        assert f'href="/c/{c.slug}/charter"' in body and f"Положение: {c.name}" in body


def test_policy_lists_earlier_consent_versions_with_dates(client, community):
    first = db.session.scalar(ConsentDocument.latest(ConsentKind.PERSONAL_DATA))
    first.created_at = utcnow() - timedelta(days=400)
    db.session.add(ConsentDocument(kind=ConsentKind.PERSONAL_DATA, community_id=None,
                                   version=2, text="Новая редакция согласия."))
    db.session.commit()
    body = text(client.get("/privacy"))
    assert "Действующая редакция 2" in body and "Новая редакция согласия." in body
    assert "<h3>Прежние редакции</h3>" in body and 'id="consent-document-' in body
    from app.i18n import date_filter

    with client.application.test_request_context("/"):
        assert f"Редакция 1 от {date_filter(first.created_at)}" in body


def test_policy_without_any_community(client):
    body = text(client.get("/privacy"))
    assert "Текст согласия появится" in body and "Сообществ пока нет." in body


def test_footer_join_form_and_profile_link_here(client_as, people, community):
    assert 'href="/privacy"' in text(client_as("anonymous").get("/"))
    join = text(client_as("outsider").get(f"/c/{community.slug}/join"))
    assert 'href="/privacy"' in join
    member = people["member"]
    profile = text(client_as("member").get(f"/users/{member.id}"))
    assert 'href="/profile/data"' in profile
    assert 'href="/profile/data"' in text(client_as("member").get("/profile/edit"))
    # Someone else's profile does not offer their data.
    other = text(client_as("chair").get(f"/users/{member.id}"))
    assert 'href="/profile/data"' not in other


def test_my_requests_are_listed_on_my_data(client_as, people):
    db.session.add(DataRequest(user_id=people["member"].id, kind="export", status="done",
                               finished_at=utcnow(), detail="файлов: 2, записей: 40"))
    db.session.add(DataRequest(user_id=people["chair"].id, kind="export", status="done",
                               detail="запрос председателя"))
    db.session.commit()
    body = text(client_as("member").get("/profile/data"))
    assert "Выгрузка данных: выполнено" in body and "файлов: 2, записей: 40" in body
    assert "запрос председателя" not in body


# --- the administrators' log ----------------------------------------------------------------


def add_requests(people, n: int) -> list[DataRequest]:
    now = utcnow()
    rows = [DataRequest(user_id=people["member"].id, kind="export", status="done",
                        created_at=now - timedelta(hours=n - i), finished_at=now,
                        detail=f"файлов: {i}, записей: {i * 10}") for i in range(n)]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_admin_log_lists_requests_newest_first(client_as, people):
    member = people["member"]
    add_requests(people, 2)
    db.session.add(DataRequest(user_id=member.id, kind="deletion", status="done",
                               finished_at=utcnow(), detail="сообществ покинуто: 1"))
    db.session.add(DataRequest(user_id=people["chair"].id, kind="export", status="failed",
                               detail="Ошибка при подготовке архива"))
    db.session.commit()
    page = client_as("admin").get("/admin/data-requests")
    assert page.status_code == 200
    body = text(page)
    rows = body[body.index('id="data-request-rows"'):]
    # Newest first: the two added last, then the exports by age.
    assert rows.index("Удаление учётной записи") < rows.index("файлов: 1, записей: 10") \
        < rows.index("файлов: 0, записей: 0")
    assert f'href="/users/{member.id}">№ {member.id}</a>' in rows
    assert "не удалось" in rows and "выполнено" in rows
    assert member.email not in body


def test_admin_log_shows_time_in_moscow(client_as, people):
    db.session.add(DataRequest(user_id=people["member"].id, kind="export", status="done",
                               created_at=utcnow().replace(year=2026, month=1, day=15,
                                                           hour=9, minute=5)))
    db.session.commit()
    assert "15 января 2026\u00a0г., 12:05" in text(client_as("admin").get("/admin/data-requests"))


def test_admin_log_is_paginated(client_as, people):
    add_requests(people, 51)
    admin = client_as("admin")
    first = text(admin.get("/admin/data-requests"))
    assert len(ROW.findall(first)) == 50
    assert 'href="/admin/data-requests?after=' in first
    more = admin.get(load_more_href(first), headers=HX)
    assert "<html" not in text(more) and len(ROW.findall(text(more))) == 1
    assert "Показать ещё" not in text(more)


def test_admin_log_pages_by_cursor_through_equal_times(client_as, people):
    rows = add_requests(people, 40)
    for row in rows:  # all at the same time: only the id orders them
        row.created_at = rows[0].created_at
    rows += add_requests(people, 75)
    db.session.commit()
    admin = client_as("admin")

    bodies = walk(admin, "/admin/data-requests")

    expected = [r.id for r in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)]
    assert len(bodies) == 3 and walked_ids(bodies, "data-request") == expected
    assert_late_page_costs_the_first(admin, "/admin/data-requests", load_more_href(bodies[-2]))
    assert_bad_positions_give_the_first_page(admin, "/admin/data-requests", "data-request")


def test_admin_log_is_empty_without_requests(client_as):
    assert "Запросов пока не было." in text(client_as("admin").get("/admin/data-requests"))


def test_admin_index_links_the_log(client_as):
    assert 'href="/admin/data-requests"' in text(client_as("admin").get("/admin/"))


@pytest.mark.parametrize("role, status", [
    ("anonymous", 302), ("member", 403), ("coordinator", 403), ("chair", 403), ("admin", 200),
])
def test_admin_log_is_for_administrators(client_as, role, status):
    assert client_as(role).get("/admin/data-requests").status_code == status


def test_deletion_shows_in_the_admin_log(client_as, people):
    from tests.factories import PASSWORD

    member = people["member"]
    assert client_as("member").post("/profile/delete", data={
        "password": PASSWORD, "confirm": "y"}).status_code == 303
    body = text(client_as("admin").get("/admin/data-requests"))
    assert "Удаление учётной записи" in body and f"№ {member.id}" in body
    assert "согласий отозвано" in body
    assert db.session.scalar(select(DataRequest.kind)) == "deletion"
