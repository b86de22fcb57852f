"""The member pickers of forms (app.forms.MemberPickerField, the `member_picker` macro) and
their search (communities.pick_members): names found by the beginning of any word in any
letter case, only the community's active members, a bounded list, access, a constant number
of queries; every converted form saves what is ticked and refuses a stranger with 422; a
large community's form pages list no one but the chosen; «Найти» without JavaScript; people
who have left stay where they were chosen."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.auth import services as auth
from app.auth.models import User, UserNameWord, fold_words
from app.communities import services as communities
from app.events.models import Event, Registration
from app.extensions import db
from app.governance.groups import services as groups
from app.governance.groups.models import WorkingGroupMember
from app.governance.meetings.models import (
    AgendaItem,
    Minutes,
    MinutesQuestion,
    MinutesRecommendation,
)
from app.governance.mentoring.models import MentoringPair
from app.governance.plans.models import PlanItem
from app.materials import services as materials
from app.materials.models import Material, MaterialAuthor
from app.mixins import utcnow
from app.privacy import services as privacy
from tests.events.conftest import make_event
from tests.factories import make_membership, make_user
from tests.governance.pages_meetings import make_meeting, write_minutes
from tests.governance.pages_plans import make_plan
from tests.helpers import HX, count_queries, text
from tests.test_html_valid import JAVA, run_vnu


def pick_url(community) -> str:
    return f"/c/{community.slug}/members/pick"


def pick(client, community, q: str, field: str = "organiser_ids", multiple: bool = True,
         chosen=(), **extra):
    args = {"field": field, "id": field, "multiple": "1" if multiple else "",
            f"{field}-q": q, field: [str(i) for i in chosen], **extra}
    return client.get(pick_url(community), query_string=args, headers=HX)


def offered(body: str, field: str = "organiser_ids") -> list[int]:
    """Ids of the unticked boxes, in order."""
    return [int(v) for v in re.findall(rf'name="{field}" value="(\d+)">', body)]


def ticked(body: str, field: str = "organiser_ids") -> list[int]:
    return [int(v) for v in re.findall(rf'name="{field}" value="(\d+)" checked>', body)]


def leave(community, user) -> None:
    with current_app.test_request_context("/"):
        communities.leave(community, user)
        db.session.commit()


@pytest.fixture
def large(monkeypatch):
    """Every community counts as large: pickers list the chosen and search, no full list."""
    monkeypatch.setattr(communities, "MEMBER_LIST_MAX", 3)


@pytest.fixture
def namesakes(community, people):
    """Members with names to search, and people with such names who must not be found."""
    made = {name: make_user(full_name=name) for name in (
        "Иванов Иван Петрович", "Петров Иван Сергеевич", "Иванова Мария Ивановна",
        "Ёлкина Алёна Игоревна", "Иванченко Илья", "Иванов Олег", "Иваненко Павел")}
    for name in ("Иванов Иван Петрович", "Петров Иван Сергеевич", "Иванова Мария Ивановна",
                 "Ёлкина Алёна Игоревна", "Иваненко Павел"):
        make_membership(made[name], community)
    make_membership(made["Иванов Олег"], people["other_community"])  # another community
    leave(community, made["Иваненко Павел"])  # has left
    return made  # «Иванченко Илья» is in no community


# --- the words of names --------------------------------------------------------------------


def words_of(user) -> set[str]:
    return set(db.session.scalars(select(UserNameWord.word)
                                  .where(UserNameWord.user_id == user.id)))


def test_fold_words_folds_any_alphabet_and_yo():
    assert fold_words("ЁЛКИНА  Алёна-Мария O'Brien") == ["елкина", "алена", "мария", "o",
                                                        "brien"]
    assert fold_words("иван иВАН") == ["иван"]
    assert fold_words("% _ *") == []


def test_name_words_follow_the_name_wherever_it_is_set(app):
    with current_app.test_request_context("/"):
        user = auth.register(email="pavlova@school.ru", password="correct-horse-42",
                             full_name="Павлова Ольга Ивановна", position="", organisation="",
                             municipality="")
        db.session.commit()
    assert words_of(user) == {"павлова", "ольга", "ивановна"}
    with current_app.test_request_context("/"):
        auth.update_profile(user, full_name="Павлова-Смирнова Ольга Ивановна")
        db.session.commit()
    assert words_of(user) == {"павлова", "смирнова", "ольга", "ивановна"}
    with current_app.test_request_context("/"):
        privacy.delete_account(db.session.get(User, user.id))
        db.session.commit()
    assert words_of(user) == {"удаленный", "участник"}


# --- the search endpoint -------------------------------------------------------------------


def test_search_finds_active_members_by_the_beginning_of_any_word(community, people,
                                                                  namesakes, client_as):
    found = namesakes
    client = client_as("member")
    expected = sorted([found["Иванов Иван Петрович"].id, found["Иванова Мария Ивановна"].id,
                       found["Петров Иван Сергеевич"].id])
    for q in ("иван", "ИВАН", "иВаН", "  Иван  "):
        response = pick(client, community, q)
        assert response.status_code == 200
        assert sorted(offered(text(response))) == expected, q
    body = text(pick(client, community, "иван"))
    # by name, and never the outsider, the other community's member or the one who left
    assert body.index("Иванов Иван Петрович") < body.index("Иванова Мария Ивановна") \
        < body.index("Петров Иван Сергеевич")
    for absent in ("Иванченко Илья", "Иванов Олег", "Иваненко Павел"):
        assert absent not in body
    assert "<html" not in body and "Найдено: 3." in body
    assert 'id="organiser_ids-status" data-hx-swap-oob="innerHTML"' in body
    # every word of the query begins some word of the name
    assert sorted(offered(text(pick(client, community, "иван пет")))) == sorted(
        [found["Иванов Иван Петрович"].id, found["Петров Иван Сергеевич"].id])
    assert offered(text(pick(client, community, "мария иван"))) == [
        found["Иванова Мария Ивановна"].id]
    # ё and е are one letter; a word's middle is not its beginning
    for q in ("ёлк", "елк", "алена", "Алёна"):
        assert offered(text(pick(client, community, q))) == [found["Ёлкина Алёна Игоревна"].id]
    none = text(pick(client, community, "ванов"))
    assert offered(none) == [] and "Никого не нашлось" in none
    assert offered(text(pick(client, community, ""))) == []


def test_single_choice_gives_radios_and_ticked_boxes_stay_first(community, people, namesakes,
                                                                client_as):
    ivanov = namesakes["Иванов Иван Петрович"]
    body = text(pick(client_as("coordinator"), community, "иван", field="speaker_id",
                     multiple=False, chosen=[people["chair"].id]))
    assert f'<input type="radio" name="speaker_id" value="{people["chair"].id}" checked>' in body
    assert f'<input type="radio" name="speaker_id" value="{ivanov.id}">' in body
    assert body.index("Председателев Андрей") < body.index("Иванов Иван Петрович")
    # a ticked person is not offered twice; an id of someone never in the community shows
    # nothing; one who has left (kept on an object being edited) shows with a note
    body = text(pick(client_as("coordinator"), community, "иван",
                     chosen=[ivanov.id, people["outsider"].id,
                             namesakes["Иваненко Павел"].id]))
    assert ticked(body) == [namesakes["Иваненко Павел"].id, ivanov.id]
    assert ivanov.id not in offered(body)
    assert "Посторонний Пётр" not in body
    assert "вышел(а) из сообщества" in body
    excluded = text(pick(client_as("coordinator"), community, "иван",
                         exclude=f"{ivanov.id},{namesakes['Петров Иван Сергеевич'].id}"))
    assert offered(excluded) == [namesakes["Иванова Мария Ивановна"].id]


def test_search_shows_at_most_twenty_in_a_constant_number_of_queries(community, people,
                                                                    client_as):
    for n in range(3):
        make_membership(make_user(full_name=f"Тестова Анна {n}"), community)
    client = client_as("member")
    pick(client, community, "тестова")  # the session's first request loads what it caches
    with count_queries() as few:
        assert len(offered(text(pick(client, community, "тестова")))) == 3
    for n in range(3, 26):
        make_membership(make_user(full_name=f"Тестова Анна {n}"), community)
    chair_id = people["chair"].id
    with count_queries() as many:
        body = text(pick(client, community, "тестова", chosen=[chair_id]))
    assert len(offered(body)) == communities.PICK_LIMIT == 20
    assert "уточните запрос" in body
    assert many.count == few.count + 1  # + the ticked one's name


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 302), ("outsider", 403), ("other_coordinator", 403), ("member", 200),
    ("coordinator", 200), ("chair", 200), ("admin", 200)])
def test_who_may_search(community, people, client_as, role, status):
    response = client_as(role).get(pick_url(community), query_string={
        "field": "user_id", "id": "user_id", "user_id-q": "сов"})
    assert response.status_code == status
    if status == 200:
        assert offered(text(response), "user_id") == [people["council"].id]


def test_search_refusals(community, people, client_as):
    anonymous = client_as("anonymous").get(pick_url(community), headers=HX,
                                           query_string={"field": "x", "id": "x"})
    assert anonymous.status_code == 401 and "HX-Redirect" in anonymous.headers
    member = client_as("member")
    assert member.get(pick_url(community), query_string={"id": "x"}).status_code == 400
    assert member.get(pick_url(community), query_string={
        "field": 'x"><script>', "id": "x"}).status_code == 400
    assert member.get("/c/no-such-community/members/pick").status_code == 404


# --- every converted form: what is ticked is saved; a stranger is refused ----------------


@dataclass
class Case:
    role: str
    url: str
    field: str
    data: dict
    saved: object  # saved(person_id) -> bool
    refusal: str
    multiple: bool = False


def _later(days: int) -> str:
    return (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _material_case(community, people) -> Case:
    def saved(uid):
        material = db.session.scalar(select(Material).order_by(Material.id.desc()))
        return material is not None and uid in {c.user_id for c in material.coauthors}
    return Case("member", f"/c/{community.slug}/materials/new", "coauthor_ids",
                {"title": "Уроки литературы", "type": "lesson_plan", "level": "secondary",
                 "link_url": "https://example.org/lesson"}, saved,
                "Соавторами могут быть только участники сообщества.", multiple=True)


def _on_behalf_case(community, people) -> Case:
    def saved(uid):
        return db.session.scalar(select(Material.id).where(Material.author_id == uid,
                                                           Material.placed_by_id.is_not(None)))
    return Case("coordinator", f"/c/{community.slug}/materials/new", "on_behalf_of",
                {"title": "Положение о конкурсе", "type": "normative", "level": "all",
                 "link_url": "https://example.org/rules"}, saved,
                "Автор должен быть участником сообщества.")


def _material_edit_case(community, people) -> Case:
    with current_app.test_request_context("/"):
        material = materials.create_material(
            community, people["member"], title="Конспект", description="", type="lesson_plan",
            level="secondary", link_url="https://example.org/m")
        db.session.commit()
    return Case("member", f"/c/{community.slug}/materials/{material.id}/edit", "coauthor_ids",
                {"title": "Конспект", "type": "lesson_plan", "level": "secondary",
                 "link_url": "https://example.org/m"},
                lambda uid: db.session.scalar(select(MaterialAuthor.user_id).where(
                    MaterialAuthor.material_id == material.id, MaterialAuthor.user_id == uid)),
                "Соавторами могут быть только участники сообщества.", multiple=True)


def _event_case(community, people) -> Case:
    def saved(uid):
        event = db.session.scalar(select(Event).order_by(Event.id.desc()))
        return event is not None and uid in event.organiser_ids
    return Case("coordinator", f"/c/{community.slug}/events/new", "organiser_ids",
                {"title": "Вебинар", "type": "webinar", "format": "online",
                 "starts_at": _later(3), "ends_at": _later(4),
                 "online_url": "https://meet.example.org/room"}, saved,
                "Организаторами могут быть только участники сообщества.", multiple=True)


def _participant_case(community, people) -> Case:
    event = make_event(community, people["coordinator"])
    return Case("coordinator", f"/c/{community.slug}/events/{event.id}/participants",
                "user_id", {},
                lambda uid: db.session.scalar(select(Registration.id).where(
                    Registration.event_id == event.id, Registration.user_id == uid)),
                "Добавить можно только участника сообщества.")


def _group_case(community, people) -> Case:
    def saved(uid):
        return db.session.scalar(select(WorkingGroupMember.id).where(
            WorkingGroupMember.user_id == uid))
    return Case("coordinator", f"/c/{community.slug}/groups/new", "member_ids",
                {"name": "Группа по грамотности", "goal": "Банк заданий",
                 "end_date": (date.today() + timedelta(days=60)).isoformat()}, saved,
                "В рабочую группу входят только участники сообщества", multiple=True)


def _group_member_case(community, people) -> Case:
    with current_app.test_request_context("/"):
        group = groups.create_group(community, people["coordinator"], groups.GroupFields(
            name="Группа", goal="Цель", end_date=date.today() + timedelta(days=30),
            member_ids=[people["member"].id], leader_ids=[people["member"].id]))
        db.session.commit()
    return Case("coordinator", f"/c/{community.slug}/groups/{group.id}/members/add", "user_id",
                {}, lambda uid: db.session.scalar(select(WorkingGroupMember.id).where(
                    WorkingGroupMember.group_id == group.id, WorkingGroupMember.user_id == uid)),
                "В рабочую группу входят только участники сообщества")


def _past_meeting(community, people):
    with current_app.test_request_context("/"):
        event = make_meeting(community, people["coordinator"],
                             starts_at=utcnow() - timedelta(days=2),
                             present=[people["member"], people["chair"], people["council"]])
        db.session.commit()
    return event


def _agenda_case(community, people) -> Case:
    with current_app.test_request_context("/"):
        event = make_meeting(community, people["coordinator"],
                             starts_at=utcnow() + timedelta(days=7))
        db.session.commit()
    return Case("coordinator", f"/c/{community.slug}/meetings/{event.id}/agenda/items",
                "speaker_id", {"title": "О плане работы"},
                lambda uid: db.session.scalar(select(AgendaItem.id).where(
                    AgendaItem.event_id == event.id, AgendaItem.speaker_id == uid)),
                "Докладчиком может быть только участник сообщества.")


def _minutes_case(community, people) -> Case:
    event = _past_meeting(community, people)
    return Case("coordinator", f"/c/{community.slug}/meetings/{event.id}/minutes/new",
                "secretary_id",
                {"number": "1", "chair_id": str(people["chair"].id), "place": "Тула"},
                lambda uid: db.session.scalar(select(Minutes.id).where(
                    Minutes.secretary_id == uid)),
                "Секретарём может быть только участник сообщества.")


def _with_minutes(community, people):
    event = _past_meeting(community, people)
    with current_app.test_request_context("/"):
        write_minutes(event, community, people["coordinator"], chair=people["chair"],
                      secretary=people["council"])
        db.session.commit()
    return event


def _question_case(community, people) -> Case:
    event = _with_minutes(community, people)
    return Case("coordinator", f"/c/{community.slug}/meetings/{event.id}/minutes/questions",
                "responsible_id", {"title": "Об олимпиаде", "decision": "Провести разбор."},
                lambda uid: db.session.scalar(select(MinutesQuestion.id).where(
                    MinutesQuestion.responsible_id == uid)),
                "Ответственным может быть только участник сообщества.")


def _recommendation_case(community, people) -> Case:
    event = _with_minutes(community, people)
    return Case("coordinator",
                f"/c/{community.slug}/meetings/{event.id}/minutes/recommendations",
                "responsible_id", {"text": "Провести открытые уроки."},
                lambda uid: db.session.scalar(select(MinutesRecommendation.id).where(
                    MinutesRecommendation.responsible_id == uid)),
                "Ответственным может быть только участник сообщества.")


def _mentoring_case(community, people) -> Case:
    return Case("coordinator", f"/c/{community.slug}/mentoring/new", "mentor_id",
                {"mentee_id": str(people["member"].id), "goal": "Подготовка к аттестации",
                 "starts_on": date.today().isoformat(),
                 "ends_on": (date.today() + timedelta(days=90)).isoformat()},
                lambda uid: db.session.scalar(select(MentoringPair.id).where(
                    MentoringPair.mentor_id == uid)),
                "Наставником может быть только участник сообщества.")


def _plan_case(community, people) -> Case:
    plan = make_plan(community, people["coordinator"])
    return Case("coordinator", f"/c/{community.slug}/plans/{plan.id}/items/new",
                "responsible_id",
                {"title": "Вебинар «Цифровая школа»", "month": "10", "form": "webinar",
                 "event_id": "0"},
                lambda uid: db.session.scalar(select(PlanItem.id).where(
                    PlanItem.plan_id == plan.id, PlanItem.title == "Вебинар «Цифровая школа»",
                    PlanItem.responsible_id == uid)),
                "Ответственным может быть только участник сообщества")


CASES = {
    "materials.new coauthors": _material_case,
    "materials.new on behalf of": _on_behalf_case,
    "materials.edit coauthors": _material_edit_case,
    "events.new organisers": _event_case,
    "events.add_participant": _participant_case,
    "groups.new members": _group_case,
    "groups.add_member": _group_member_case,
    "meetings.add_agenda_item speaker": _agenda_case,
    "meetings.new_minutes secretary": _minutes_case,
    "meetings.add_question responsible": _question_case,
    "meetings.add_recommendation responsible": _recommendation_case,
    "mentoring.new mentor": _mentoring_case,
    "plans.new_item responsible": _plan_case,
}


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("name", CASES)
def test_each_form_saves_the_ticked_member_and_refuses_a_stranger(
        community, people, client_as, monkeypatch, name, size):
    if size == "large":
        monkeypatch.setattr(communities, "MEMBER_LIST_MAX", 3)
    case = CASES[name](community, people)
    client = client_as(case.role)
    chosen = people["expert"].id

    refused = client.post(case.url, data={**case.data, case.field: [str(people["outsider"].id)]})
    assert refused.status_code == 422
    assert case.refusal in text(refused)
    assert not case.saved(people["outsider"].id)
    # the picker shows no box for a stranger's id
    assert f'name="{case.field}" value="{people["outsider"].id}"' not in text(refused)

    saved = client.post(case.url, data={**case.data, case.field: [str(chosen)]})
    assert saved.status_code in (200, 303), text(saved)[:2000]
    assert case.saved(chosen)


# --- the form pages of a large community ----------------------------------------------------


def _form_pages(community, people) -> list[tuple[str, str]]:
    slug = community.slug
    event = make_event(community, people["coordinator"], organiser_ids=(people["chair"].id,))
    upcoming = _agenda_meeting(community, people)
    past = _with_minutes(community, people)
    plan = make_plan(community, people["coordinator"])
    with current_app.test_request_context("/"):
        group = groups.create_group(community, people["coordinator"], groups.GroupFields(
            name="Группа", goal="Цель", end_date=date.today() + timedelta(days=30),
            member_ids=[people["member"].id], leader_ids=[people["member"].id]))
        db.session.commit()
    return [
        ("coordinator", f"/c/{slug}/materials/new"),
        ("coordinator", f"/c/{slug}/events/new"),
        ("coordinator", f"/c/{slug}/events/{event.id}/edit"),
        ("coordinator", f"/c/{slug}/events/{event.id}/participants"),
        ("coordinator", f"/c/{slug}/groups/new"),
        ("coordinator", f"/c/{slug}/groups/{group.id}/edit"),
        ("coordinator", f"/c/{slug}/groups/{group.id}/members"),
        ("coordinator", f"/c/{slug}/meetings/{upcoming.id}/agenda"),
        ("coordinator", f"/c/{slug}/meetings/{past.id}/minutes"),
        ("coordinator", f"/c/{slug}/meetings/{past.id}/minutes/edit"),
        ("coordinator", f"/c/{slug}/mentoring/new"),
        ("coordinator", f"/c/{slug}/plans/{plan.id}/items/new"),
    ]


def _agenda_meeting(community, people):
    with current_app.test_request_context("/"):
        event = make_meeting(community, people["coordinator"],
                             starts_at=utcnow() + timedelta(days=7))
        db.session.commit()
    return event


def test_large_community_form_pages_list_only_the_chosen(community, people, client_as, large):
    pages = _form_pages(community, people)
    counts = {}
    for role, path in pages:
        client_as(role).get(path)  # warm the per-process caches
        with count_queries() as queries:
            body = text(client_as(role).get(path))
        counts[path] = queries.count
        assert 'data-picker-search' in body, path
        assert "Экспертова Оксана" not in body, path  # a member nobody chose is not listed
    for n in range(40):
        make_membership(make_user(full_name=f"Новикова Вера {n}"), community)
    for role, path in pages:
        with count_queries() as queries:
            body = text(client_as(role).get(path))
        assert "Новикова Вера" not in body, path
        assert queries.count == counts[path], path  # the members' number changes nothing


def test_small_community_form_pages_list_every_member(community, people, client_as):
    body = text(client_as("coordinator").get(f"/c/{community.slug}/events/new"))
    assert "data-picker-search" not in body
    for role in ("member", "coordinator", "chair", "council", "expert"):
        assert people[role].full_name in body
    # the coordinator is ticked as the new event's organiser, the others are offered
    assert ticked(body) == [people["coordinator"].id]
    assert people["outsider"].full_name not in body


def test_find_without_javascript_shows_the_form_again_with_results(community, people,
                                                                  client_as, large):
    url = f"/c/{community.slug}/materials/new"
    response = client_as("member").post(url, data={
        "title": "Уроки литературы", "type": "lesson_plan", "level": "secondary",
        "link_url": "https://example.org/l", "coauthor_ids": [str(people["chair"].id)],
        "coauthor_ids-q": "сов", "picker-find": "coauthor_ids"})
    assert response.status_code == 422
    body = text(response)
    assert 'value="Уроки литературы"' in body  # the entered data stays
    assert ticked(body, "coauthor_ids") == [people["chair"].id]
    assert offered(body, "coauthor_ids") == [people["council"].id]
    assert 'value="сов"' in body and "Найдено: 1." in body
    assert "field-error" not in body  # not validated: nothing to correct yet
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


# --- those who have left stay where they were chosen ----------------------------------------


def test_an_organiser_who_left_stays_shown_and_kept(community, people, client_as, large):
    event = make_event(community, people["coordinator"],
                       organiser_ids=(people["coordinator"].id, people["expert"].id))
    leave(community, people["expert"])
    url = f"/c/{community.slug}/events/{event.id}/edit"
    coordinator = client_as("coordinator")
    body = text(coordinator.get(url))
    assert sorted(ticked(body)) == sorted([people["coordinator"].id, people["expert"].id])
    assert "вышел(а) из сообщества" in body
    start = event.starts_at + timedelta(hours=3)  # Moscow time, as the form shows it
    data = {"title": "Семинар, новое название", "type": "seminar", "format": "offline",
            "place": event.place, "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "organiser_ids": [str(people["coordinator"].id), str(people["expert"].id)]}
    assert coordinator.post(url, data=data).status_code == 303
    assert db.session.get(Event, event.id).organiser_ids == {people["coordinator"].id,
                                                             people["expert"].id}
    # but one who has left cannot be newly chosen
    leave(community, people["council"])
    refused = coordinator.post(url, data={**data, "organiser_ids": [
        str(people["coordinator"].id), str(people["council"].id)]})
    assert refused.status_code == 422
    assert "Организаторами могут быть только участники сообщества." in text(refused)


def test_a_coauthor_and_a_secretary_who_left_are_kept(community, people, client_as):
    with current_app.test_request_context("/"):
        material = materials.create_material(
            community, people["member"], title="Конспект", description="", type="lesson_plan",
            level="secondary", link_url="https://example.org/m",
            coauthor_ids=[people["expert"].id])
        db.session.commit()
    event = _with_minutes(community, people)  # the council member is the secretary
    leave(community, people["expert"])
    leave(community, people["council"])
    member = client_as("member")
    url = f"/c/{community.slug}/materials/{material.id}/edit"
    assert ticked(text(member.get(url)), "coauthor_ids") == [people["expert"].id]
    assert member.post(url, data={
        "title": "Конспект урока", "type": "lesson_plan", "level": "secondary",
        "link_url": "https://example.org/m",
        "coauthor_ids": [str(people["expert"].id)]}).status_code == 303
    assert {c.user_id for c in db.session.get(Material, material.id).coauthors} == {
        people["expert"].id}

    url = f"/c/{community.slug}/meetings/{event.id}/minutes/edit"
    coordinator = client_as("coordinator")
    page = text(coordinator.get(url))
    assert ticked(page, "secretary_id") == [people["council"].id]
    assert "вышел(а) из сообщества" in page
    minutes = db.session.scalar(select(Minutes).where(Minutes.event_id == event.id))
    assert coordinator.post(url, data={
        "number": str(minutes.number), "chair_id": str(people["chair"].id),
        "secretary_id": str(people["council"].id), "place": "Тула, школа № 5"},
    ).status_code == 303
    assert db.session.get(Minutes, minutes.id).place == "Тула, школа № 5"


# --- valid HTML: the pickers of a large community's pages and the search's fragment -------


@pytest.mark.skipif(JAVA is None, reason="Java not found: HTML not validated")
def test_large_community_pickers_are_valid_html(community, people, client_as, large,
                                                tmp_path):
    files = []
    for index, (role, path) in enumerate(_form_pages(community, people)):
        response = client_as(role).get(path)
        assert response.status_code == 200, path
        files.append(tmp_path / f"{index:02d}.html")
        files[-1].write_bytes(response.data)
    found = client_as("coordinator").post(f"/c/{community.slug}/mentoring/new", data={
        "mentor_id-q": "сов", "mentee_id": str(people["member"].id),
        "picker-find": "mentor_id"})
    assert offered(text(found), "mentor_id") == [people["council"].id]
    (tmp_path / "found.html").write_bytes(found.data)
    files.append(tmp_path / "found.html")
    fragment = text(pick(client_as("member"), community, "сов", chosen=[people["chair"].id]))
    wrapped = tmp_path / "fragment.html"
    wrapped.write_text('<!doctype html><html lang="ru"><head><title>f</title></head><body>'
                       '<form><div id="organiser_ids-options">' + fragment
                       + "</div></form></body></html>")
    files.append(wrapped)
    report = [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in run_vnu(files)]
    assert not report, "\n".join(report)
