"""Meetings and minutes through their routes: the agenda (with the open decisions carried
over), minutes of a meeting that has happened (number, chair and secretary, attendance and
quorum, questions with votes, recommendations, signing), the register of decisions, the
DOCX and PDF documents read back, and the year's meetings against the minimum."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from flask import current_app
from pypdf import PdfReader
from sqlalchemy import func, select

from app.errors import DomainError
from app.events import services as events
from app.events.models import Event
from app.extensions import db
from app.governance.academic_year import AcademicYear
from app.governance.meetings import services
from app.governance.meetings.labels import CARRYOVER_TITLE
from app.governance.meetings.models import (
    AgendaItem,
    Decision,
    Minutes,
    MinutesQuestion,
    MinutesRecommendation,
)
from app.mixins import utcnow
from app.notifications.models import Notification
from tests.factories import make_community, make_membership, make_people, make_user
from tests.governance.pages_meetings import make_meeting, write_minutes
from tests.helpers import HX, count_queries, text

# The previous academic year: every meeting in it has taken place, whatever today is.
LAST_YEAR = AcademicYear.of(date.today()).previous


def at(month: int, day: int, hour: int = 7, year: AcademicYear = LAST_YEAR) -> datetime:
    """10:00 in Moscow on that day of `year`, as naive UTC."""
    return datetime.combine(year.date_of(month, day), datetime.min.time()).replace(hour=hour)


def base(community) -> str:
    return f"/c/{community.slug}/meetings"


def meeting(community, people, **kw) -> Event:
    kw.setdefault("starts_at", at(10, 15))
    with current_app.test_request_context("/"):
        event = make_meeting(community, people["coordinator"], **kw)
        db.session.commit()
    return event


def minutes_for(event, community, people, **kw) -> Minutes:
    kw.setdefault("chair", people["chair"])
    kw.setdefault("secretary", people["council"])
    with current_app.test_request_context("/"):
        minutes = write_minutes(event, community, people["coordinator"], **kw)
        db.session.commit()
    return minutes


def present3(people) -> list:
    return [people["member"], people["chair"], people["council"]]


def question(**kw) -> dict:
    data = {"title": "О плане работы", "heard": "Доклад о плане работы.",
            "decision": "Утвердить план работы.", "votes_for": 3, "votes_against": 0,
            "votes_abstained": 0}
    data.update(kw)
    return data


def question_form(**kw) -> dict:
    data = {"title": "Об итогах олимпиады", "speaker_id": "0",
            "heard": "Итоги муниципального этапа олимпиады.",
            "discussion": "Советова Н.: предложила провести разбор заданий.",
            "decision": "Провести разбор заданий до конца месяца.",
            "votes_for": "2", "votes_against": "1", "votes_abstained": "0",
            "responsible_id": "0", "due_on": ""}
    data.update(kw)
    return data


def notes(user) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == "plan")))


# --- the agenda ----------------------------------------------------------------------------


def test_editors_write_the_agenda_members_read_it(community, people, client_as):
    event = meeting(community, people, starts_at=utcnow() + timedelta(days=5))
    url = f"{base(community)}/{event.id}/agenda"
    coordinator = client_as("coordinator")
    response = coordinator.post(f"{url}/items", data={"title": "О плане работы на год",
                                                      "speaker_id": people["chair"].id})
    assert response.status_code == 303
    client_as("chair").post(f"{url}/items", data={"title": "Разное", "speaker_id": "0"})
    items = services.agenda_items(event)
    assert [(i.title, i.speaker_id, i.position) for i in items] == [
        ("О плане работы на год", people["chair"].id, 1), ("Разное", None, 2)]
    page = text(client_as("member").get(url))
    assert "О плане работы на год" in page and "Председателев Андрей" in page
    assert "Добавить в повестку" not in page
    assert client_as("member").post(f"{url}/items", data={"title": "Моё"}).status_code == 403
    assert client_as("outsider").get(url).status_code == 403
    assert len(services.agenda_items(event)) == 2


def test_the_meetings_organiser_edits_its_agenda(community, people, client_as):
    event = meeting(community, people, starts_at=utcnow() + timedelta(days=5),
                    organisers=[people["council"]])
    url = f"{base(community)}/{event.id}/agenda/items"
    assert client_as("council").post(url, data={"title": "Об экспертизе"}).status_code == 303
    assert client_as("expert").post(url, data={"title": "Чужой вопрос"}).status_code == 403
    assert [i.title for i in services.agenda_items(event)] == ["Об экспертизе"]


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "   "}, "Укажите вопрос повестки."),
    ({"title": "Х" * 501}, "Не больше 500 символов."),
    ({"title": "Вопрос", "speaker_id": "outsider"},
     "Докладчиком может быть только участник сообщества."),
])
def test_bad_agenda_input_is_refused(community, people, client_as, data, message):
    event = meeting(community, people, starts_at=utcnow() + timedelta(days=5))
    if data.get("speaker_id") == "outsider":
        data["speaker_id"] = people["outsider"].id
    response = client_as("coordinator").post(f"{base(community)}/{event.id}/agenda/items",
                                             data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(func.count(AgendaItem.id))) == 0


def test_the_agenda_closes_when_the_meeting_starts(community, people, client_as):
    event = meeting(community, people, starts_at=utcnow() - timedelta(minutes=5))
    url = f"{base(community)}/{event.id}/agenda"
    response = client_as("coordinator").post(f"{url}/items", data={"title": "Поздно"})
    assert response.status_code == 422
    assert "Заседание уже началось: повестку изменить нельзя." in text(response)
    assert "Добавить в повестку" not in text(client_as("coordinator").get(url))


def test_agenda_items_move_and_are_removed_without_deleting(community, people, client_as):
    event = meeting(community, people, starts_at=utcnow() + timedelta(days=5),
                    agenda=["Первый", "Второй", "Третий"])
    first, second, third = services.agenda_items(event)
    url = f"{base(community)}/{event.id}/agenda"
    coordinator = client_as("coordinator")
    assert coordinator.post(f"{url}/{third.id}/up").status_code == 303
    assert [i.title for i in services.agenda_items(event)] == ["Первый", "Третий", "Второй"]
    response = coordinator.post(f"{url}/{first.id}/up", follow_redirects=True)
    assert "Вопрос уже первый в повестке." in text(response)
    assert coordinator.post(f"{url}/{second.id}/remove").status_code == 303
    assert [i.title for i in services.agenda_items(event)] == ["Первый", "Третий"]
    assert db.session.get(AgendaItem, second.id).removed_at is not None  # kept
    assert coordinator.get(f"{url}/{second.id}/edit").status_code == 404
    response = coordinator.post(f"{url}/{third.id}/edit",
                                data={"title": "Третий, уточнённый", "speaker_id": "0"})
    assert response.status_code == 303
    assert db.session.get(AgendaItem, third.id).title == "Третий, уточнённый"


def test_only_meetings_have_agendas_and_minutes(community, people, client_as):
    with current_app.test_request_context("/"):
        seminar = events.create_event(community, people["coordinator"], events.EventFields(
            title="Семинар", type="seminar", format="offline", place="Зал",
            starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() - timedelta(hours=20)))
        events.publish(seminar, people["coordinator"])
        db.session.commit()
    for tail in ("agenda", "minutes", "minutes/new"):
        assert client_as("coordinator").get(
            f"{base(community)}/{seminar.id}/{tail}").status_code == 404


def test_the_event_page_of_a_meeting_links_to_agenda_and_minutes(community, people,
                                                                 client_as):
    event = meeting(community, people)
    page = text(client_as("member").get(f"/c/{community.slug}/events/{event.id}"))
    assert f"{base(community)}/{event.id}/agenda" in page
    assert f"{base(community)}/{event.id}/minutes" in page


def test_a_new_meeting_is_preselected_from_the_meetings_page(community, people, client_as):
    page = text(client_as("coordinator").get(f"{base(community)}/"))
    assert f"/c/{community.slug}/events/new?type=meeting" in page
    form = text(client_as("coordinator").get(f"/c/{community.slug}/events/new?type=meeting"))
    assert '<option selected value="meeting">' in form
    assert "/events/new" not in text(client_as("member").get(f"{base(community)}/"))


# --- minutes: when, number, people, attendance ---------------------------------------------


@pytest.mark.parametrize(("state", "message"), [
    ("future", "Заседание ещё не состоялось"),
    ("cancelled", "Заседание отменено: протокол не составляется."),
    ("draft", "Заседание не было опубликовано"),
])
def test_no_minutes_for_a_meeting_that_has_not_happened(community, people, client_as, state,
                                                        message):
    start = utcnow() + timedelta(days=3) if state == "future" else at(10, 15)
    event = meeting(community, people, starts_at=start, publish=state != "draft")
    if state == "cancelled":
        with current_app.test_request_context("/"):
            events.cancel_event(event, community, people["coordinator"], "Перенос")
            db.session.commit()
    url = f"{base(community)}/{event.id}/minutes"
    coordinator = client_as("coordinator")
    assert message in text(coordinator.get(url))
    assert "Составить протокол" not in text(coordinator.get(url))
    response = coordinator.post(f"{url}/new", data={
        "number": "1", "chair_id": people["chair"].id,
        "secretary_id": people["council"].id, "place": "Зал"})
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(func.count(Minutes.id))) == 0


def test_minutes_take_attendance_quorum_and_the_agenda(community, people, client_as):
    event = meeting(community, people, present=present3(people), absent=[people["expert"]],
                    agenda=[("О плане работы", people["chair"]), "Разное"])
    url = f"{base(community)}/{event.id}/minutes"
    coordinator = client_as("coordinator")
    form = text(coordinator.get(f"{url}/new"))
    assert 'value="1"' in form  # the suggested number
    assert "Тула, ул. Ленина, 1, каб. 12" in form  # the place of the event
    # the chair presides
    assert f'<input type="radio" name="chair_id" value="{people["chair"].id}" checked>' in form
    response = coordinator.post(f"{url}/new", data={
        "number": "1", "chair_id": people["chair"].id, "secretary_id": people["council"].id,
        "place": "Тула, школа № 5, каб. 12"})
    assert response.status_code == 303
    minutes = db.session.scalar(select(Minutes))
    assert (minutes.number, minutes.year, minutes.held_on) == (1, LAST_YEAR.start,
                                                               at(10, 15).date())
    assert (minutes.chair_name, minutes.secretary_name) == ("Председателев Андрей",
                                                            "Советова Наталья")
    assert [a.full_name for a in minutes.attendees] == [
        "Председателев Андрей", "Советова Наталья", "Участникова Анна"]
    assert (minutes.present_count, minutes.members_count, minutes.has_quorum) == (3, 5, True)
    assert [(q.title, q.speaker_id) for q in minutes.questions] == [
        ("О плане работы", people["chair"].id), ("Разное", None)]
    page = text(coordinator.get(url))
    assert "ПРОТОКОЛ № 1" in page and "Кворум имеется." in page and "ПРОЕКТ" in page


def test_no_quorum_when_half_or_fewer_came(community, people):
    event = meeting(community, people, present=[people["member"], people["chair"]])
    minutes = minutes_for(event, community, people)
    assert (minutes.present_count, minutes.members_count, minutes.has_quorum) == (2, 5, False)


def test_the_number_runs_within_the_academic_year(community, people, client_as):
    first = meeting(community, people, present=present3(people))
    minutes_for(first, community, people)
    second = meeting(community, people, starts_at=at(12, 10), present=present3(people))
    assert services.new_minutes_fields(second, community).number == 2
    data = {"number": "1", "chair_id": people["chair"].id,
            "secretary_id": people["council"].id, "place": "Зал"}
    response = client_as("coordinator").post(f"{base(community)}/{second.id}/minutes/new",
                                             data=data)
    assert response.status_code == 422
    assert (f"Протокол № 1 за {LAST_YEAR.label} учебный год уже есть (заседание "
            "«Заседание сообщества»). Свободный номер — 2.") in text(response)
    # The next academic year starts again at 1, and so does another community.
    earlier = meeting(community, people, starts_at=at(10, 15, year=LAST_YEAR.previous),
                      present=present3(people))
    assert services.new_minutes_fields(earlier, community).number == 1
    other = make_community()
    crew = make_people(other)
    elsewhere = meeting(other, crew, present=present3(crew))
    assert minutes_for(elsewhere, other, crew, number=1).number == 1


@pytest.mark.parametrize(("changes", "message"), [
    ({"number": ""}, "Укажите номер протокола."),
    ({"number": "первый"}, "Введите целое число."),
    ({"number": "0"}, "Номер протокола — целое число от 1 до 9999."),
    ({"number": "-3"}, "Номер протокола — целое число от 1 до 9999."),
    ({"chair_id": "0"}, "Выберите председательствующего."),
    ({"secretary_id": "0"}, "Выберите секретаря."),
    ({"secretary_id": "chair"}, "Председательствующий и секретарь — разные люди."),
    ({"chair_id": "outsider"}, "Председательствующим может быть только участник сообщества."),
    ({"secretary_id": "outsider"}, "Секретарём может быть только участник сообщества."),
    ({"place": "  "}, "Укажите место проведения."),
])
def test_bad_requisites_are_refused(community, people, client_as, changes, message):
    event = meeting(community, people, present=present3(people))
    data = {"number": "1", "chair_id": people["chair"].id,
            "secretary_id": people["council"].id, "place": "Зал"}
    data.update({k: people[v].id if v in people else v for k, v in changes.items()})
    response = client_as("coordinator").post(f"{base(community)}/{event.id}/minutes/new",
                                             data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(func.count(Minutes.id))) == 0


def test_unmarked_attendance_is_pointed_out(community, people, client_as):
    event = meeting(community, people)
    url = f"{base(community)}/{event.id}/minutes"
    participants = f"/c/{community.slug}/events/{event.id}/participants"
    form = text(client_as("coordinator").get(f"{url}/new"))
    assert "Посещение ещё не отмечено" in form and participants in form
    minutes_for(event, community, people)
    with current_app.test_request_context("/"):
        events.sign_up(event, community, people["member"], added_by=people["coordinator"])
        db.session.commit()
    page = text(client_as("coordinator").get(url))
    assert "Посещение отмечено не у всех: без отметки 1." in page and participants in page


def test_a_draft_is_for_its_editors_signed_minutes_for_every_member(community, people,
                                                                    client_as):
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people, questions=[question()])
    url = f"{base(community)}/{event.id}/minutes"
    member = client_as("member")
    page = text(member.get(url))
    assert "Протокол готовится" in page and "Утвердить план работы" not in page
    assert member.get(f"{url}.docx").status_code == 403
    assert member.get(f"{url}/edit").status_code == 403
    assert "Утвердить план работы" in text(client_as("chair").get(url))
    with current_app.test_request_context("/"):
        services.sign_minutes(minutes, event, community, people["coordinator"])
        db.session.commit()
    page = text(member.get(url))
    assert "Утвердить план работы" in page and "Подписать протокол" not in page
    assert member.get(f"{url}.docx").status_code == 200
    assert client_as("outsider").get(url).status_code == 403


# --- questions, votes, recommendations -----------------------------------------------------


def test_a_question_with_its_vote_is_added(community, people, client_as):
    event = meeting(community, people, present=present3(people))
    minutes_for(event, community, people)
    url = f"{base(community)}/{event.id}/minutes"
    response = client_as("coordinator").post(f"{url}/questions", data=question_form(
        speaker_id=people["chair"].id, responsible_id=people["member"].id,
        due_on=(at(10, 15) + timedelta(days=30)).date().isoformat()))
    assert response.status_code == 303
    (q,) = db.session.get(Minutes, db.session.scalar(select(Minutes.id))).questions
    assert (q.title, q.speaker_id, q.votes_for, q.votes_against, q.votes_abstained) == (
        "Об итогах олимпиады", people["chair"].id, 2, 1, 0)
    assert (q.responsible_id, q.due_on) == (people["member"].id,
                                            (at(10, 15) + timedelta(days=30)).date())
    page = text(client_as("coordinator").get(url))
    assert "Голосовали: «за» — 2, «против» — 1, «воздержались» — 0." in page


def test_empty_vote_means_no_vote_and_one_number_counts_the_others_as_zero(community, people):
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people, questions=[
        question(votes_for=None, votes_against=None, votes_abstained=None),
        question(title="Второй", votes_for=3, votes_against=None, votes_abstained=None)])
    first, second = minutes.questions
    assert not first.has_vote and first.votes_for is None
    assert (second.votes_for, second.votes_against, second.votes_abstained) == (3, 0, 0)


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": " "}, "Укажите рассматриваемый вопрос."),
    ({"votes_for": "-1"}, "Число голосов не может быть отрицательным."),
    ({"votes_against": "-2"}, "Число голосов не может быть отрицательным."),
    ({"votes_abstained": "-1"}, "Число голосов не может быть отрицательным."),
    ({"votes_for": "два"}, "Введите целое число."),
    ({"votes_for": "3", "votes_against": "1"},
     "Голосов «за», «против» и «воздержались» вместе 4, а присутствовало 3"),
    ({"decision": ""}, "Голосуют за решение: заполните «Решили»."),
    ({"decision": "", "votes_for": "", "votes_against": "", "votes_abstained": "",
      "responsible_id": "member"}, "Ответственный и срок относятся к решению"),
    ({"responsible_id": "outsider"}, "Ответственным может быть только участник сообщества."),
    ({"speaker_id": "outsider"}, "Докладчиком может быть только участник сообщества."),
    ({"due_on": "before"}, "Срок исполнения не может быть раньше даты заседания"),
    ({"due_on": "завтра"}, "Введите дату."),
])
def test_bad_questions_are_refused(community, people, client_as, changes, message):
    event = meeting(community, people, present=present3(people))
    minutes_for(event, community, people)
    data = question_form()
    for key, value in changes.items():
        if value in ("member", "outsider"):
            value = people[value].id
        elif value == "before":
            value = (at(10, 15) - timedelta(days=1)).date().isoformat()
        data[key] = value
    response = client_as("coordinator").post(f"{base(community)}/{event.id}/minutes/questions",
                                             data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(func.count(MinutesQuestion.id))) == 0


def test_votes_without_marked_attendance_say_what_to_do(community, people, client_as):
    event = meeting(community, people)
    minutes_for(event, community, people)
    response = client_as("coordinator").post(f"{base(community)}/{event.id}/minutes/questions",
                                             data=question_form())
    assert response.status_code == 422
    assert "Сначала отметьте посещение заседания." in text(response)


def test_questions_are_edited_and_removed_without_deleting(community, people, client_as):
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people, questions=[question(), question(
        title="Разное")])
    first, second = minutes.questions
    url = f"{base(community)}/{event.id}/minutes/questions"
    coordinator = client_as("coordinator")
    assert "Доклад о плане работы." in text(coordinator.get(f"{url}/{first.id}"))
    response = coordinator.post(f"{url}/{first.id}", data=question_form(title="О плане, v2"))
    assert response.status_code == 303
    assert db.session.get(MinutesQuestion, first.id).title == "О плане, v2"
    assert coordinator.post(f"{url}/{second.id}/remove").status_code == 303
    assert [q.title for q in db.session.get(Minutes, minutes.id).questions] == ["О плане, v2"]
    assert db.session.get(MinutesQuestion, second.id).removed_at is not None


def test_recommendations_are_added_and_checked(community, people, client_as):
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people)
    url = f"{base(community)}/{event.id}/minutes/recommendations"
    coordinator = client_as("coordinator")
    response = coordinator.post(url, data={"text": " ", "responsible_id": "0"})
    assert response.status_code == 422 and "Напишите текст рекомендации." in text(response)
    response = coordinator.post(url, data={
        "text": "Провести открытые уроки", "responsible_id": people["council"].id,
        "due_on": (at(10, 15) - timedelta(days=3)).date().isoformat()})
    assert response.status_code == 422
    assert "Срок исполнения не может быть раньше даты заседания" in text(response)
    response = coordinator.post(url, data={
        "text": "Провести открытые уроки", "responsible_id": people["council"].id,
        "due_on": at(11, 30).date().isoformat()})
    assert response.status_code == 303
    (r,) = db.session.get(Minutes, minutes.id).recommendations
    assert (r.text, r.responsible_id, r.due_on) == ("Провести открытые уроки",
                                                   people["council"].id, at(11, 30).date())
    assert coordinator.post(f"{url}/{r.id}", data={
        "text": "Провести два открытых урока", "responsible_id": "0"}).status_code == 303
    assert db.session.get(MinutesRecommendation, r.id).responsible_id is None
    assert coordinator.post(f"{url}/{r.id}/remove").status_code == 303
    assert db.session.get(Minutes, minutes.id).recommendations == []


# --- signing -------------------------------------------------------------------------------


def test_signing_freezes_the_minutes_and_fills_the_register(community, people, client_as):
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people, questions=[
        question(responsible_id=people["member"].id, due_on=at(11, 1).date()),
        question(title="Информация", decision="", votes_for=None, votes_against=None,
                 votes_abstained=None)],
        recommendations=[{"text": "Обобщить опыт", "responsible_id": people["council"].id}])
    url = f"{base(community)}/{event.id}/minutes"
    coordinator = client_as("coordinator")
    response = coordinator.post(f"{url}/sign", follow_redirects=True)
    assert "Протокол подписан." in text(response)
    minutes = db.session.get(Minutes, minutes.id)
    assert minutes.is_signed and minutes.signed_by_id == people["coordinator"].id
    entries = db.session.scalars(select(Decision).order_by(Decision.id)).all()
    assert [(d.kind, d.text, d.responsible_id, d.due_on, d.status) for d in entries] == [
        ("decision", "Утвердить план работы.", people["member"].id, at(11, 1).date(), "open"),
        ("recommendation", "Обобщить опыт", people["council"].id, None, "open")]
    assert any("Подписан протокол № 1" in n for n in notes(people["member"]))
    assert any("Подписан протокол № 1" in n for n in notes(people["council"]))
    # Read-only from now on: every change is refused and nothing changes.
    q = minutes.questions[0]
    for path, data in ((f"{url}/edit", {"number": "7", "chair_id": people["chair"].id,
                                        "secretary_id": people["council"].id, "place": "X"}),
                       (f"{url}/questions", question_form()),
                       (f"{url}/questions/{q.id}", question_form(title="Иначе")),
                       (f"{url}/questions/{q.id}/remove", {}),
                       (f"{url}/recommendations", {"text": "Ещё"}),
                       (f"{url}/sign", {})):
        response = coordinator.post(path, data=data, follow_redirects=True)
        assert ("Протокол подписан: изменить его нельзя." in text(response)
                or "Протокол уже подписан." in text(response)), path
    assert db.session.get(Minutes, minutes.id).number == 1
    assert db.session.get(MinutesQuestion, q.id).title == "О плане работы"
    assert db.session.scalar(select(func.count(MinutesQuestion.id))) == 2
    assert db.session.scalar(select(func.count(Decision.id))) == 2
    assert "Подписать протокол" not in text(coordinator.get(url))


def test_signed_minutes_keep_their_numbers(community, people, client_as):
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people, questions=[question()], sign=True)
    make_membership(make_user(), community)  # the community grows
    with current_app.test_request_context("/"):  # and the attendance is changed afterwards
        (registration,) = [r for r in services.attendance(event).present
                           if r.user_id == people["member"].id]
        events.mark_attendance(registration, event, people["coordinator"], False)
        db.session.commit()
    minutes = db.session.get(Minutes, minutes.id)
    assert (minutes.present_count, minutes.members_count, len(minutes.attendees)) == (3, 5, 3)


@pytest.mark.parametrize(("setup", "message"), [
    ("nobody", "В протоколе нет присутствовавших: отметьте посещение"),
    ("no_questions", "Добавьте в протокол хотя бы один рассмотренный вопрос."),
    ("too_many_votes", "Вопрос 1: Голосов «за», «против» и «воздержались» вместе 3, а "
                       "присутствовало 2"),
])
def test_signing_is_refused_with_a_reason(community, people, client_as, setup, message):
    event = meeting(community, people, present=[] if setup == "nobody" else present3(people))
    minutes = minutes_for(event, community, people,
                          questions=[] if setup != "too_many_votes" else [question()])
    if setup == "too_many_votes":  # someone turns out not to have come after all
        with current_app.test_request_context("/"):
            (registration,) = [r for r in services.attendance(event).present
                               if r.user_id == people["council"].id]
            events.mark_attendance(registration, event, people["coordinator"], False)
            db.session.commit()
    response = client_as("coordinator").post(f"{base(community)}/{event.id}/minutes/sign",
                                             follow_redirects=True)
    assert message in text(response)
    assert not db.session.get(Minutes, minutes.id).is_signed
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_a_second_signing_at_the_same_moment_adds_nothing(community, people):
    """Two signings at once (a double click): the second still holds the draft it loaded,
    but the guarded UPDATE finds the row signed and stops before touching the register."""
    event = meeting(community, people, present=present3(people))
    minutes = minutes_for(event, community, people, questions=[question()])
    assert not minutes.is_signed  # loaded as a draft
    with db.engine.begin() as other:  # the first signing commits meanwhile
        other.execute(Minutes.__table__.update().where(Minutes.id == minutes.id)
                      .values(status="signed"))
    with current_app.test_request_context("/"), pytest.raises(DomainError) as refused:
        services.sign_minutes(minutes, event, community, people["chair"])
    assert refused.value.message == "Протокол уже подписан."
    db.session.rollback()
    assert db.session.scalar(select(func.count(Decision.id))) == 0


def test_minutes_link_to_the_previous_and_the_next(community, people, client_as):
    first = meeting(community, people, present=present3(people), title="Первое заседание")
    second = meeting(community, people, starts_at=at(12, 10), present=present3(people),
                     title="Второе заседание")
    third = meeting(community, people, starts_at=at(3, 10), present=present3(people),
                    title="Третье заседание")
    minutes_for(first, community, people, questions=[question()], sign=True)
    minutes_for(second, community, people, questions=[question()], sign=True)
    minutes_for(third, community, people, questions=[question()])  # a draft
    url = f"{base(community)}/{{}}/minutes"
    page = text(client_as("member").get(url.format(second.id)))
    assert "Предыдущий протокол: № 1" in page and url.format(first.id) in page
    assert "Следующий протокол" not in page  # the third is a draft
    page = text(client_as("member").get(url.format(first.id)))
    assert "Следующий протокол: № 2" in page and "Предыдущий протокол" not in page
    page = text(client_as("coordinator").get(url.format(third.id)))
    assert "Предыдущий протокол: № 2" in page


# --- the register and the carry-over -------------------------------------------------------


def signed_with_decisions(community, people):
    event = meeting(community, people, present=present3(people))
    minutes_for(event, community, people, sign=True, questions=[
        question(decision="Подготовить план", responsible_id=people["member"].id,
                 due_on=at(11, 1).date()),
        question(title="Второй", decision="Провести семинар",
                 responsible_id=people["council"].id),
    ], recommendations=[{"text": "Обобщить опыт"}])
    return event, db.session.scalars(select(Decision).order_by(Decision.id)).all()


def test_the_register_lists_and_filters_by_status(community, people, client_as):
    _, (plan, seminar, experience) = signed_with_decisions(community, people)
    with current_app.test_request_context("/"):
        services.set_decision_status(seminar, community, people["chair"], "done", "Проведён")
        services.set_decision_status(experience, community, people["chair"], "withdrawn",
                                     "Неактуально")
        db.session.commit()
    url = f"{base(community)}/decisions"
    member = client_as("member")
    page = text(member.get(url))
    assert all(t in page for t in ("Подготовить план", "Провести семинар", "Обобщить опыт"))
    assert "Все (3)" in page and "Открыто (1)" in page and "Выполнено (1)" in page
    page = text(member.get(url, query_string={"status": "open"}))
    assert "Подготовить план" in page and "Провести семинар" not in page
    partial = text(member.get(url, query_string={"status": "withdrawn"}, headers=HX))
    assert "<html" not in partial and "Обобщить опыт" in partial
    assert "Подготовить план" not in partial
    page = text(member.get(url, query_string={"status": "done"}))
    assert "Провести семинар" in page and "Проведён" in page and "Обобщить опыт" not in page


@pytest.mark.parametrize(("role", "allowed"), [
    ("member", True),  # responsible for «Подготовить план»
    ("coordinator", True), ("chair", True), ("admin", True),
    ("council", False), ("expert", False), ("outsider", False)])
def test_who_updates_a_decision(community, people, client_as, role, allowed):
    _, (plan, *_rest) = signed_with_decisions(community, people)
    response = client_as(role).post(f"{base(community)}/decisions/{plan.id}/status",
                                    data={"status": "done", "note": "Готово"})
    assert response.status_code == (303 if allowed else 403)
    decision = db.session.get(Decision, plan.id)
    assert decision.status == ("done" if allowed else "open")
    if allowed:
        assert (decision.status_note, decision.status_changed_by_id) == ("Готово",
                                                                         people[role].id)


def test_bad_status_changes_are_refused(community, people, client_as):
    _, (plan, *_rest) = signed_with_decisions(community, people)
    url = f"{base(community)}/decisions/{plan.id}/status"
    chair = client_as("chair")
    response = chair.post(url, data={"status": "withdrawn", "note": ""}, headers=HX)
    assert response.status_code == 422
    assert "Укажите, почему решение снято." in text(response)
    assert "<html" not in text(response) and f'id="decision-{plan.id}"' in text(response)
    response = chair.post(url, data={"status": "open", "note": ""}, headers=HX)
    assert response.status_code == 422 and "Статус уже «открыто»." in text(response)
    response = chair.post(url, data={"status": "lost"}, headers=HX)
    assert response.status_code == 422 and "Выберите значение из списка." in text(response)
    assert db.session.get(Decision, plan.id).status == "open"
    response = chair.post(url, data={"status": "done", "note": "Сделано"}, headers=HX)
    assert response.status_code == 200 and "Выполнено" in text(response)


def test_open_decisions_open_the_next_agenda_and_minutes(community, people, client_as):
    first, (plan, seminar, experience) = signed_with_decisions(community, people)
    with current_app.test_request_context("/"):
        services.set_decision_status(seminar, community, people["chair"], "done", "")
        db.session.commit()
    upcoming = meeting(community, people, starts_at=utcnow() + timedelta(days=7),
                       agenda=["О наставничестве"])
    page = text(client_as("member").get(f"{base(community)}/{upcoming.id}/agenda"))
    assert CARRYOVER_TITLE in page
    assert page.index(CARRYOVER_TITLE) < page.index("О наставничестве")
    assert "Подготовить план" in page and "Обобщить опыт" in page
    assert "Провести семинар" not in page  # done
    assert f"{base(community)}/{first.id}/minutes" in page  # where it was decided
    # The first meeting's own agenda does not carry its own decisions.
    assert CARRYOVER_TITLE not in text(client_as("member").get(
        f"{base(community)}/{first.id}/agenda"))
    # Minutes of the next meeting held start with the question, the list as its summary.
    second = meeting(community, people, starts_at=at(12, 10), present=present3(people),
                     agenda=["Об итогах полугодия"])
    minutes = minutes_for(second, community, people)
    carry, agenda_item = minutes.questions
    assert carry.title == CARRYOVER_TITLE and agenda_item.title == "Об итогах полугодия"
    assert "Подготовить план" in carry.heard and "протокол № 1" in carry.heard
    assert "Провести семинар" not in carry.heard
    with current_app.test_request_context("/"):
        services.set_decision_status(plan, community, people["member"], "done", "")
        services.set_decision_status(experience, community, people["chair"], "withdrawn",
                                     "Неактуально")
        db.session.commit()
    page = text(client_as("member").get(f"{base(community)}/{upcoming.id}/agenda"))
    assert CARRYOVER_TITLE not in page


# --- documents -----------------------------------------------------------------------------


def signed_minutes(community, people):
    event = meeting(community, people, present=present3(people), absent=[people["expert"]],
                    agenda=[("О плане работы на учебный год", people["chair"])])
    minutes = minutes_for(event, community, people, questions=[question(
        title="Об итогах олимпиады", speaker_id=people["council"].id,
        heard="Итоги муниципального этапа.", discussion="Участникова А.: о разборе заданий.",
        decision="Провести разбор заданий.", votes_for=2, votes_against=1, votes_abstained=0,
        responsible_id=people["member"].id, due_on=at(11, 20).date())],
        recommendations=[{"text": "Обобщить опыт подготовки к олимпиаде.",
                          "responsible_id": people["council"].id}], sign=True)
    return event, minutes


def test_the_docx_reads_back_as_russian_minutes(community, people, client_as):
    event, _ = signed_minutes(community, people)
    response = client_as("member").get(f"{base(community)}/{event.id}/minutes.docx")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.data))
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    lines = [p.text for p in paragraphs]
    title = paragraphs[0]
    assert title.text == "ПРОТОКОЛ № 1"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in title.runs)
    assert lines[1] == f"заседания сообщества «{community.name}»"
    assert lines[2] == f"{at(10, 15):%d.%m.%Y}\tТула, ул. Ленина, 1, каб. 12"
    assert "Председатель: Председателев Андрей" in lines
    assert "Секретарь: Советова Наталья" in lines
    assert "Присутствовали: 3 человека (из 5 членов сообщества):" in lines
    assert "Председателев А., Советова Н., Участникова А." in lines
    assert "Кворум имеется." in lines
    agenda = lines.index("ПОВЕСТКА ДНЯ:")
    assert lines[agenda + 1] == "1. О плане работы на учебный год (докладчик — Председателев А.)."
    assert lines[agenda + 2] == "2. Об итогах олимпиады (докладчик — Советова Н.)."
    assert "1. СЛУШАЛИ: Председателев А. — О плане работы на учебный год" in lines
    assert "2. СЛУШАЛИ: Советова Н. — Итоги муниципального этапа." in lines
    assert "ВЫСТУПИЛИ: Участникова А.: о разборе заданий." in lines
    assert (f"РЕШИЛИ: Провести разбор заданий. (ответственный — Участникова А., срок — "
            f"{at(11, 20):%d.%m.%Y})") in lines
    assert "Голосовали: «за» — 2, «против» — 1, «воздержались» — 0." in lines
    recommendations = lines.index("РЕКОМЕНДАЦИИ:")
    assert lines[recommendations + 1] == ("1. Обобщить опыт подготовки к олимпиаде. "
                                          "(ответственный — Советова Н.)")
    assert lines[-2] == "Председатель\t________________\tА. Председателев"
    assert lines[-1] == "Секретарь\t________________\tН. Советова"
    slushali = next(p for p in paragraphs if p.text.startswith("2. СЛУШАЛИ:"))
    assert slushali.runs[0].bold and slushali.runs[0].text == "2. СЛУШАЛИ: "
    normal = doc.styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)
    assert "ПРОЕКТ" not in lines


def test_a_draft_document_says_it_is_a_draft(community, people, client_as):
    event = meeting(community, people, present=present3(people))
    minutes_for(event, community, people, questions=[question()])
    response = client_as("coordinator").get(f"{base(community)}/{event.id}/minutes.docx")
    lines = [p.text for p in Document(io.BytesIO(response.data)).paragraphs if p.text]
    assert lines[0] == "ПРОЕКТ" and lines[1] == "ПРОТОКОЛ № 1"
    assert "Кворум имеется." in lines


def test_the_pdf_is_a_pdf_with_the_number(community, people, client_as):
    event, _ = signed_minutes(community, people)
    response = client_as("member").get(f"{base(community)}/{event.id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    content = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "ПРОТОКОЛ № 1" in content
    assert "СЛУШАЛИ" in content and "Кворум имеется." in content


# --- the year's meetings against the minimum -----------------------------------------------


def test_the_summary_counts_what_was_held_planned_and_minuted(community, people):
    year = AcademicYear(2026)
    now = datetime(2026, 11, 22, 12, 0)
    held = meeting(community, people, starts_at=datetime(2026, 10, 1, 7),
                   present=present3(people))
    minutes_for(held, community, people, questions=[question()], sign=True)
    draft_minutes = meeting(community, people, starts_at=datetime(2026, 11, 1, 7),
                            present=present3(people))
    minutes_for(draft_minutes, community, people)
    meeting(community, people, starts_at=datetime(2027, 2, 1, 7))  # planned
    meeting(community, people, starts_at=datetime(2027, 3, 1, 7), publish=False)  # a draft
    cancelled = meeting(community, people, starts_at=datetime(2026, 12, 1, 7))
    with current_app.test_request_context("/"):
        events.cancel_event(cancelled, community, people["coordinator"], "Карантин")
        events.create_event(community, people["coordinator"], events.EventFields(
            title="Семинар", type="seminar", format="offline", place="Зал",
            starts_at=datetime(2026, 10, 5, 7), ends_at=datetime(2026, 10, 5, 9)))
        db.session.commit()
    meeting(community, people, starts_at=datetime(2026, 8, 31, 7))  # the year before
    summary = services.meeting_summary(community, year, now=now)
    assert (summary.held, summary.planned, summary.with_minutes, summary.required) == (
        2, 1, 1, 2)
    assert not summary.is_behind and summary.warning is None
    assert services.meeting_summary(community, 2026, now=now) == summary  # an int works too


@pytest.mark.parametrize(("minimum", "held", "planned", "today", "warning"), [
    # 4 a year (seed 001): by December one should have been held.
    (4, [], [(2027, 1, 10)] * 4, (2026, 11, 30), None),
    (4, [], [(2027, 1, 10)] * 4, (2026, 12, 2),
     "Отставание от графика: к этой дате должно быть проведено не менее 1 заседания, "
     "проведено 0."),
    (4, [(2026, 10, 1)], [(2027, 2, 1)], (2026, 11, 22),
     "Заседаний запланировано недостаточно: проведено 1, назначено 1, а за учебный год "
     "нужно не менее 4. Назначьте ещё 2 заседания."),
    # 2 a year, one a half-year (seed 003): by early March the first one.
    (2, [], [(2027, 4, 1), (2027, 5, 1)], (2027, 2, 20), None),
    (2, [], [(2027, 4, 1), (2027, 5, 1)], (2027, 3, 10),
     "Отставание от графика: к этой дате должно быть проведено не менее 1 заседания, "
     "проведено 0."),
    (2, [(2026, 10, 1), (2027, 3, 1)], [], (2027, 6, 1), None),
    # A year gone by is judged on what was held; a year to come is never behind.
    (2, [(2026, 10, 1)], [], (2027, 9, 15), "За 2026/2027 учебный год проведено 1 заседание "
                                            "при минимуме 2."),
    (2, [], [], (2026, 8, 1), None),
])
def test_behind_the_minimum(app, minimum, held, planned, today, warning):
    community = make_community(min_meetings_per_year=minimum)
    crew = make_people(community)
    now = datetime(*today, 12)
    for y, m, d in held:
        meeting(community, crew, starts_at=datetime(y, m, d, 7))
    for y, m, d in planned:
        meeting(community, crew, starts_at=datetime(y, m, d, 7))
    # "held" are those whose start is before `now`; the fixture dates above respect that.
    summary = services.meeting_summary(community, AcademicYear(2026), now=now)
    assert summary.held == sum(datetime(*h, 7) <= now for h in held)
    assert summary.warning == warning
    assert summary.is_behind is (warning is not None)


def test_summaries_of_many_communities_take_one_query(app):
    year = AcademicYear(2026)
    now = datetime(2027, 1, 15, 12)
    communities = []
    for n in range(4):
        community = make_community(min_meetings_per_year=2 + n,
                                   timezone=("Europe/Moscow", "Asia/Vladivostok")[n % 2])
        crew = make_people(community)
        for k in range(n):
            meeting(community, crew, starts_at=datetime(2026, 10, 1 + k, 7))
        communities.append(community)
    for community in communities:  # loaded, as the pages have them
        db.session.refresh(community)
    with count_queries() as one:
        services.meeting_summaries(communities[:1], year, now=now)
    with count_queries() as many:
        summaries = services.meeting_summaries(communities, year, now=now)
    assert one.count == many.count == 1
    assert [summaries[c.id].held for c in communities] == [0, 1, 2, 3]
    assert [summaries[c.id].required for c in communities] == [2, 3, 4, 5]
    assert services.meeting_summaries([], year) == {}


def test_the_year_page_lists_meetings_and_warns(community, people, client_as):
    this_year = AcademicYear.current(community)
    url = f"{base(community)}/"
    held = meeting(community, people, starts_at=at(10, 15), present=present3(people),
                   title="Осеннее заседание")
    minutes_for(held, community, people, questions=[question()], sign=True)
    meeting(community, people, starts_at=at(11, 15), title="Заседание без протокола",
            present=present3(people))
    member = client_as("member")
    page = text(member.get(url, query_string={"year": LAST_YEAR.start}))
    assert f"{LAST_YEAR.label} учебный год" in page
    assert "Осеннее заседание" in page and "Протокол № 1" in page
    assert "Заседание без протокола" in page and "Проведено" in page
    assert f"year={LAST_YEAR.previous.start}" in page and f"year={this_year.start}" in page
    assert "Минимум заседаний выполнен" in page  # 2 held of 2
    current = text(member.get(url))
    assert f"{this_year.label} учебный год" in current
    assert "Заседаний запланировано недостаточно" in current or "Отставание" in current
    assert "Составить протокол" in text(client_as("coordinator").get(
        url, query_string={"year": LAST_YEAR.start}))
    assert member.get(url, query_string={"year": "abc"}).status_code == 200


def test_the_year_page_takes_the_same_queries_with_more_meetings(community, people,
                                                                 client_as):
    client = client_as("coordinator")
    url = f"{base(community)}/"
    query = {"year": LAST_YEAR.start}
    first = meeting(community, people, present=present3(people))
    minutes_for(first, community, people, questions=[question()], sign=True)
    client.get(url, query_string=query)
    with count_queries() as few:
        client.get(url, query_string=query)
    for month in (11, 12, 1, 2):
        event = meeting(community, people, starts_at=at(month, 10), present=present3(people))
        minutes_for(event, community, people, questions=[question()], sign=True)
    with count_queries() as more:
        assert "Протокол № 5" in text(client.get(url, query_string=query))
    assert more.count == few.count


def test_the_register_takes_the_same_queries_with_more_decisions(community, people,
                                                                 client_as):
    client = client_as("member")
    url = f"{base(community)}/decisions"
    signed_with_decisions(community, people)
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for month in (11, 12, 1):
        event = meeting(community, people, starts_at=at(month, 10), present=present3(people))
        minutes_for(event, community, people, sign=True, questions=[
            question(responsible_id=people["member"].id), question(title="Ещё")])
    with count_queries() as more:
        client.get(url)
    assert more.count == few.count
