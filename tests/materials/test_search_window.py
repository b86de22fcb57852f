"""The bank's search with a common word (app/search.py, «The ranking window»): at most
SEARCH_RANK_WINDOW matches are ranked, the newest; the page says so; what the reader may not
see, other communities and the filters never take places in the window; the query count
does not grow with the matches. The tests make the window three materials."""

from __future__ import annotations

import pytest

from app.materials import routes
from app.materials.models import MaterialStatus
from app.mixins import utcnow
from tests.factories import make_membership
from tests.helpers import HX, count_queries, text
from tests.materials.test_routes import listed, url

NOTICE = "Найдено много материалов: показаны самые подходящие из последних 3; уточните запрос."


@pytest.fixture
def window(app, monkeypatch):
    monkeypatch.setitem(app.config, "SEARCH_RANK_WINDOW", 3)
    return 3


def page(client, path: str) -> str:
    response = client.get(path, headers=HX)
    assert response.status_code == 200
    return text(response)


def test_a_common_word_shows_the_best_of_the_newest_and_says_so(client_as, community,
                                                                make_material, window):
    make_material(title="Урок литературы")  # the oldest: out of the window
    newest = [make_material(title=f"Материал {n}", description="Разработка урока").title
              for n in range(4)][-3:]
    client = client_as("member")
    assert sorted(listed(client, url(community, "/?q=урок"))) == sorted(newest)
    assert NOTICE in page(client, url(community, "/?q=урок"))
    full = text(client.get(url(community, "/?q=урок")))
    assert "<html" in full and NOTICE in full


def test_a_rare_word_has_every_match_title_first_and_no_notice(client_as, community,
                                                               make_material, window):
    titled = make_material(title="Квиллинг на уроках технологии")
    for n in range(2):
        make_material(title=f"Поделки {n}", description="Немного квиллинга")
    for n in range(4):
        make_material(title=f"Урок {n}")
    client = client_as("member")
    found = listed(client, url(community, "/?q=квиллинг"))
    assert found[0] == titled.title and len(found) == 3
    assert "Найдено много" not in page(client, url(community, "/?q=квиллинг"))


def test_what_the_reader_may_not_see_takes_no_place_in_the_window(client_as, people,
                                                                   community, make_material,
                                                                   window):
    shown = make_material(title="Урок для всех")
    other = people["other_community"]
    make_membership(people["member"], other)
    for n in range(3):
        make_material(people["expert"], title=f"Урок на утверждении {n}",
                      status=MaterialStatus.PENDING)
        make_material(people["expert"], title=f"Урок удалённый {n}", hidden_at=utcnow())
        make_material(title=f"Урок чужого сообщества {n}", community_=other)
    member = client_as("member")
    assert listed(member, url(community, "/?q=урок")) == [shown.title]
    assert "Найдено много" not in page(member, url(community, "/?q=урок"))
    # Their author sees them (with a badge), and the window fills with them.
    assert "Урок на утверждении 2" in listed(client_as("expert"), url(community, "/?q=урок"))
    assert NOTICE in page(client_as("expert"), url(community, "/?q=урок"))


def test_the_filters_apply_before_the_window(client_as, community, make_material, window):
    wanted = make_material(title="Урок-презентация", type="presentation")
    for n in range(4):
        make_material(title=f"Урок {n}", type="lesson_plan")
    member = client_as("member")
    assert listed(member, url(community, "/?q=урок&type=presentation")) == [wanted.title]
    assert "Найдено много" not in page(member, url(community, "/?q=урок&type=presentation"))


def test_show_more_pages_through_the_window(client_as, community, make_material, window,
                                           monkeypatch):
    monkeypatch.setattr(routes, "PER_PAGE", 2)
    for n in range(5):
        make_material(title=f"Урок {n}")
    member = client_as("member")
    first = page(member, url(community, "/?q=урок"))
    assert NOTICE in first and "Показать ещё" in first
    second = page(member, url(community, "/?q=урок&page=2"))
    assert len(listed(member, url(community, "/?q=урок&page=2"))) == 1
    assert NOTICE not in second and "Показать ещё" not in second


def test_the_bank_of_all_communities_says_so_too(client_as, people, community, make_material,
                                               window):
    other = people["other_community"]
    make_membership(people["member"], other)
    for n in range(2):
        make_material(title=f"Урок {n}")
        make_material(title=f"Урок чужой {n}", community_=other)
    assert NOTICE in page(client_as("member"), "/bank/?q=урок")


def test_the_query_count_does_not_grow_with_the_matches(client_as, community, make_material,
                                                        window):
    make_material(title="Урок 0")
    member = client_as("member")
    path = url(community, "/?q=урок")
    member.get(path, headers=HX)  # the first request of a client loads more (its session)
    with count_queries() as few:
        member.get(path, headers=HX)
    for n in range(1, 8):
        make_material(title=f"Урок {n}", description="Урок и ещё урок")
    with count_queries() as many:
        body = page(member, path)
    assert NOTICE in body
    assert few.count == many.count
