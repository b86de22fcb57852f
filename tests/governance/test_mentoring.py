"""Mentoring pairs through their routes: the rules, the community's list (current and past),
ending early, editing, and the listing on both people's profiles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.governance.mentoring import services
from app.governance.mentoring.models import MentoringPair
from app.notifications.models import Notification
from tests.factories import make_membership, make_user
from tests.helpers import count_queries, text


def url(community, tail=""):
    return f"/c/{community.slug}/mentoring/{tail}"


def today() -> date:
    return date.today()


def data(people, **kw):
    values = {
        "mentor_id": people["council"].id, "mentee_id": people["member"].id,
        "goal": "Подготовка к аттестации на первую категорию",
        "starts_on": (today() - timedelta(days=10)).isoformat(),
        "ends_on": (today() + timedelta(days=200)).isoformat(),
    }
    values.update(kw)
    return values


def make_pair(community, actor, mentor, mentee, start=None, end=None, goal="Наставничество"):
    with current_app.test_request_context("/"):
        pair = services.create_pair(
            community, actor, mentor=mentor, mentee=mentee, goal=goal,
            starts_on=start or today() - timedelta(days=5),
            ends_on=end or today() + timedelta(days=100))
        db.session.commit()
    return pair


def count() -> int:
    return db.session.scalar(select(func.count(MentoringPair.id)))


@pytest.mark.parametrize("role", ["coordinator", "chair", "admin"])
def test_managers_create_a_pair_and_both_are_told(community, people, client_as, role):
    client = client_as(role)
    assert client.get(url(community, "new")).status_code == 200
    response = client.post(url(community, "new"), data=data(people))
    assert response.status_code == 303
    pair = db.session.scalar(select(MentoringPair))
    assert (pair.mentor_id, pair.mentee_id, pair.created_by_id) == (
        people["council"].id, people["member"].id, people[role].id)
    texts = set(db.session.scalars(select(Notification.text).where(
        Notification.kind == "admission", Notification.text.like("%настав%"))))
    assert texts == {f"Вы наставник для Участникова Анна в «{community.name}».",
                     f"Ваш наставник в «{community.name}»: Советова Наталья."}


def test_members_see_the_list_but_cannot_manage(community, people, client_as):
    make_pair(community, people["coordinator"], people["council"], people["member"])
    member = client_as("member")
    page = member.get(url(community))
    assert page.status_code == 200 and "Советова Наталья" in text(page)
    assert "Новая пара" not in text(page) and "Завершить досрочно" not in text(page)
    assert member.get(url(community, "new")).status_code == 403
    assert member.post(url(community, "new"), data=data(people)).status_code == 403
    assert count() == 1


@pytest.mark.parametrize("changes, message", [
    ({"mentee_id": "COUNCIL"}, "Наставник и наставляемый — один и тот же человек"),
    ({"mentor_id": "OUTSIDER"}, "Наставником может быть только участник сообщества."),
    ({"mentee_id": "OUTSIDER"}, "Наставляемым может быть только участник сообщества."),
    ({"mentor_id": ""}, "Выберите наставника."),
    ({"goal": "   "}, "Укажите цель наставничества."),
    ({"ends_on": "START"}, "Дата окончания должна быть позже даты начала."),
    ({"ends_on": "EARLIER"}, "Дата окончания должна быть позже даты начала."),
    ({"starts_on": ""}, "Укажите дату начала."),
    ({"ends_on": "31.02.2027"}, "Введите дату."),
])
def test_bad_pairs_are_refused(community, people, client_as, changes, message):
    start = today() - timedelta(days=10)
    subst = {"COUNCIL": people["council"].id, "OUTSIDER": people["outsider"].id,
             "START": start.isoformat(), "EARLIER": (start - timedelta(days=1)).isoformat()}
    values = data(people, starts_on=start.isoformat())
    values.update({k: subst.get(v, v) for k, v in changes.items()})
    response = client_as("coordinator").post(url(community, "new"), data=values)
    assert response.status_code == 422 and message in text(response)
    assert count() == 0


def test_a_member_who_left_cannot_be_paired(community, people, client_as):
    from app.communities import services as communities

    with current_app.test_request_context("/"):
        communities.leave(community, people["member"])
        db.session.commit()
    response = client_as("coordinator").post(url(community, "new"), data=data(people))
    assert response.status_code == 422
    assert "Наставляемым может быть только участник сообщества." in text(response)


def test_the_same_pair_twice_in_the_same_period_is_refused(community, people, client_as):
    make_pair(community, people["coordinator"], people["council"], people["member"])
    response = client_as("coordinator").post(url(community, "new"), data=data(people))
    assert response.status_code == 422 and "Эта пара уже работает в эти даты" in text(response)
    # After this period is over, the same two may start again.
    later = data(people, starts_on=(today() + timedelta(days=101)).isoformat(),
                 ends_on=(today() + timedelta(days=300)).isoformat())
    assert client_as("coordinator").post(url(community, "new"), data=later).status_code == 303
    assert count() == 2


def test_list_current_and_past_and_ending_early(community, people, client_as):
    current = make_pair(community, people["coordinator"], people["council"], people["member"],
                        goal="Текущая цель")
    make_pair(community, people["coordinator"], people["chair"], people["expert"],
              start=today() - timedelta(days=400), end=today() - timedelta(days=30),
              goal="Прошлая цель")
    coordinator = client_as("coordinator")
    page = text(coordinator.get(url(community)))
    assert page.index("Текущие пары") < page.index("Текущая цель") < \
        page.index("Завершённые пары") < page.index("Прошлая цель")
    assert "Завершить досрочно" in page
    response = coordinator.post(url(community, f"{current.id}/end"))
    assert response.status_code == 303
    db.session.refresh(current)
    assert current.ended_at is not None and current.ended_by_id == people["coordinator"].id
    page = text(coordinator.get(url(community)))
    assert page.index("Завершённые пары") < page.index("Текущая цель")
    assert "Завершено досрочно" in page
    again = coordinator.post(url(community, f"{current.id}/end"), follow_redirects=True)
    assert "Наставничество уже завершено." in text(again)
    # An ended pair cannot be edited any more.
    response = coordinator.post(url(community, f"{current.id}/edit"), data=data(people))
    assert response.status_code == 422
    assert "Наставничество завершено досрочно: изменить его нельзя." in text(response)
    assert client_as("member").post(url(community, f"{current.id}/end")).status_code == 403


def test_ending_a_pair_whose_period_is_over_is_refused(community, people, client_as):
    past = make_pair(community, people["coordinator"], people["chair"], people["expert"],
                     start=today() - timedelta(days=400), end=today() - timedelta(days=30))
    response = client_as("chair").post(url(community, f"{past.id}/end"),
                                       follow_redirects=True)
    assert "Период наставничества уже закончился" in text(response)
    db.session.refresh(past)
    assert past.ended_at is None


def test_editing_a_pair(community, people, client_as):
    pair = make_pair(community, people["coordinator"], people["council"], people["member"])
    chair = client_as("chair")
    page = chair.get(url(community, f"{pair.id}/edit"))
    assert page.status_code == 200 and "Наставничество" in text(page)
    response = chair.post(url(community, f"{pair.id}/edit"),
                          data=data(people, goal="Новая цель", mentor_id=people["expert"].id))
    assert response.status_code == 303
    db.session.refresh(pair)
    assert (pair.goal, pair.mentor_id) == ("Новая цель", people["expert"].id)
    response = chair.post(url(community, f"{pair.id}/edit"),
                          data=data(people, ends_on=(today() - timedelta(days=20)).isoformat()))
    assert response.status_code == 422
    db.session.refresh(pair)
    assert pair.ends_on > today()
    # Not found under another community's address.
    assert client_as("admin").get(
        f"/c/{people['other_community'].slug}/mentoring/{pair.id}/edit").status_code == 404


def test_list_query_count_does_not_grow(community, people, client_as):
    member = client_as("member")
    make_pair(community, people["coordinator"], people["council"], people["member"])
    member.get(url(community))
    with count_queries() as few:
        member.get(url(community))
    for n in range(5):
        mentee = make_user(full_name=f"Наставляемая {n}")
        make_membership(mentee, community)
        make_pair(community, people["coordinator"], people["chair"], mentee)
    with count_queries() as many:
        assert member.get(url(community)).status_code == 200
    assert many.count == few.count


def test_both_profiles_list_the_pair(community, people, client_as):
    make_pair(community, people["coordinator"], people["council"], people["member"],
              goal="Проектная деятельность", start=date(2026, 9, 1), end=date(2027, 5, 31))
    viewer = client_as("chair")
    mentor = text(viewer.get(f"/users/{people['council'].id}"))
    assert "Наставник для" in mentor and "Участникова Анна" in mentor
    assert community.name in mentor and "Проектная деятельность" in mentor
    assert '<time datetime="2026-09-01">' in mentor and '<time datetime="2027-05-31">' in mentor
    mentee = text(viewer.get(f"/users/{people['member'].id}"))
    assert "Наставляемый: наставник" in mentee and "Советова Наталья" in mentee
    other = text(viewer.get(f"/users/{people['expert'].id}"))
    assert "Наставник для" not in other and "Наставляемый" not in other


def test_profile_hides_pairs_with_the_communities(community, people, client_as):
    make_pair(community, people["coordinator"], people["council"], people["member"])
    member = db.session.get(User, people["member"].id)
    member.show_memberships = False
    db.session.commit()
    page = text(client_as("chair").get(f"/users/{member.id}"))
    assert "Участник скрыл список своих сообществ." in page and "Наставляемый" not in page
    assert "Наставляемый: наставник" in text(client_as("member").get(f"/users/{member.id}"))
    assert "Наставляемый: наставник" in text(client_as("admin").get(f"/users/{member.id}"))


def test_profile_query_count_does_not_grow_with_pairs(community, people, client_as):
    viewer = client_as("chair")
    path = f"/users/{people['council'].id}"
    make_pair(community, people["coordinator"], people["council"], people["member"])
    viewer.get(path)
    with count_queries() as few:
        viewer.get(path)
    for n in range(4):
        mentee = make_user(full_name=f"Подопечная {n}")
        make_membership(mentee, community)
        make_pair(community, people["coordinator"], people["council"], mentee)
    with count_queries() as many:
        assert viewer.get(path).status_code == 200
    assert many.count == few.count
