"""The forum's search with a common word (app/search.py, «The ranking window»): at most
SEARCH_RANK_WINDOW matching posts are ranked, the newest, and the page says so; posts of
working groups the reader is not in take no places in the window. The tests make the window
three posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.forum.models import Section
from app.governance.groups import services as groups
from tests.helpers import HX, count_queries, text

NOTICE = "Найдено много сообщений: показаны самые подходящие из последних 3; уточните запрос."


def url(community, path=""):
    return f"/c/{community.slug}/forum{path}"


@pytest.fixture
def window(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_RANK_WINDOW", 3)
    return 3


@pytest.fixture
def group_section(people, community) -> Section:
    """The section of a working group of the member's only."""
    with current_app.test_request_context("/"):
        group = groups.create_group(community, people["coordinator"], groups.GroupFields(
            name="Рабочая группа", goal="Подготовить банк заданий.",
            end_date=groups.local_today(community) + timedelta(days=30),
            member_ids=(people["member"].id,), leader_ids=(people["member"].id,)))
        db.session.commit()
    return db.session.scalar(select(Section).where(Section.group_id == group.id))


def results(client, community, query: str) -> str:
    response = client.get(url(community, f"/search?q={query}"), headers=HX)
    assert response.status_code == 200
    return text(response)


def test_a_common_word_says_that_only_the_newest_were_ranked(client_as, community, section,
                                                             make_topic, window):
    make_topic(section, title="Открытый урок", body="Урок прошёл хорошо.", replies=0)
    for n in range(3):
        make_topic(section, title=f"Тема {n}", body=f"Ещё один урок номер {n}.")
    page = results(client_as("member"), community, "урок")
    assert NOTICE in page
    assert "Открытый урок" not in page  # the oldest match is out of the window
    rare = results(client_as("member"), community, "прошёл")
    assert "Открытый урок" in rare and "Найдено много" not in rare


def test_group_posts_take_no_place_in_the_window(client_as, community, section,
                                                 group_section, make_topic, window):
    make_topic(section, title="Открытая тема", body="Про читательскую грамотность.")
    for n in range(4):
        make_topic(group_section, title=f"Тема группы {n}", body="Грамотность, задания.")
    outsider = results(client_as("expert"), community, "грамотность")
    assert "Открытая тема" in outsider and "Тема группы" not in outsider
    assert "Найдено много" not in outsider
    assert NOTICE in results(client_as("member"), community, "грамотность")


def test_the_query_count_does_not_grow_with_the_matches(client_as, community, section,
                                                        make_topic, window):
    make_topic(section, title="Урок", body="Урок.")
    member = client_as("member")
    path = url(community, "/search?q=урок")
    member.get(path, headers=HX)
    with count_queries() as few:
        member.get(path, headers=HX)
    for n in range(5):
        make_topic(section, title=f"Урок {n}", body="Урок и ещё урок.")
    with count_queries() as many:
        assert NOTICE in text(member.get(path, headers=HX))
    assert few.count == many.count
