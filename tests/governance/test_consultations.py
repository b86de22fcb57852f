"""Consultations through their routes: asking, the coordinator's queue and assignment, the
private exchange (htmx), closing, privacy, and the counts for the annual report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.governance.consultations import services
from app.governance.consultations.models import Consultation, ConsultationMessage
from app.mixins import utcnow
from app.notifications.models import Notification
from tests.helpers import HX, count_queries, text


def url(community, consultation=None, tail=""):
    base = f"/c/{community.slug}/consultations"
    if consultation is None:
        return f"{base}/{tail}"
    return f"{base}/{consultation.id}{'/' + tail if tail else ''}"


def ask(community, asker, topic="Маршрут педагога", question="Как составить **ИОМ**?",
        form="online"):
    with current_app.test_request_context("/"):
        consultation = services.ask(community, asker, topic, question, form)
        db.session.commit()
    return consultation


def assign(community, consultation, coordinator, consultant):
    with current_app.test_request_context("/"):
        services.assign(consultation, community, coordinator, consultant)
        db.session.commit()


def post(community, consultation, author, body):
    with current_app.test_request_context("/"):
        message = services.post_message(consultation, community, author, body)
        db.session.commit()
    return message


def notes(user) -> list[tuple[str, str]]:
    return [tuple(r) for r in db.session.execute(select(Notification.kind, Notification.text)
                                                   .where(Notification.user_id == user.id)
                                                   .order_by(Notification.id))]


# --- asking --------------------------------------------------------------------------------


def test_member_asks_and_coordinator_is_told(community, people, client_as):
    member = client_as("member")
    page = member.get(url(community, tail="new"))
    assert page.status_code == 200 and "Удобная форма консультации" in text(page)
    response = member.post(url(community, tail="new"), data={
        "topic": "Индивидуальный маршрут", "question": "Помогите <script>x()</script> **с ИОМ**",
        "preferred_form": "phone"})
    assert response.status_code == 303
    c = db.session.scalar(select(Consultation))
    assert (c.status, c.asker_id, c.preferred_form) == ("new", people["member"].id, "phone")
    assert "<strong>с ИОМ</strong>" in c.question_html and "<script" not in c.question_html
    assert response.headers["Location"].endswith(f"/consultations/{c.id}")
    assert notes(people["coordinator"])[-1:] == [
        ("admission", f"Новый запрос на консультацию в «{community.name}»: "
                      "«Индивидуальный маршрут».")]
    page = member.get(url(community, c))
    assert "По телефону" in text(page) and "ещё не назначен" in text(page)
    assert "переписка откроется после назначения" in text(page)


@pytest.mark.parametrize("data, message", [
    ({"topic": "  ", "question": "Вопрос", "preferred_form": "online"},
     "Укажите тему консультации."),
    ({"topic": "Тема", "question": " \n ", "preferred_form": "online"}, "Опишите ваш вопрос."),
    ({"topic": "Тема", "question": "Вопрос", "preferred_form": "telepathy"},
     "Выберите значение из списка."),
    ({"topic": "Т" * 301, "question": "Вопрос", "preferred_form": "online"},
     "Не больше 300 символов."),
])
def test_bad_questions_are_refused(community, people, client_as, data, message):
    response = client_as("member").post(url(community, tail="new"), data=data)
    assert response.status_code == 422 and message in text(response)
    assert db.session.scalar(select(Consultation)) is None


def test_administrator_outside_the_community_cannot_ask(community, people, client_as):
    assert client_as("admin").get(url(community, tail="new")).status_code == 403
    assert client_as("outsider").get(url(community, tail="new")).status_code == 403


# --- the queue and assignment --------------------------------------------------------------


def test_queue_with_status_filter_for_coordinators_only(community, people, client_as):
    first = ask(community, people["member"], topic="Первый вопрос")
    second = ask(community, people["council"], topic="Второй вопрос")
    assign(community, second, people["coordinator"], people["expert"])
    coordinator = client_as("coordinator")
    page = text(coordinator.get(url(community)))
    assert "Очередь консультаций" in page and "Первый вопрос" in page and "Второй вопрос" in page
    rows = coordinator.get(url(community, tail="?status=new"), headers=HX)
    assert rows.status_code == 200 and "<html" not in text(rows)
    assert f'id="consultation-{first.id}"' in text(rows)
    assert "Второй вопрос" not in text(rows)
    assert "Второй вопрос" in text(coordinator.get(url(community, tail="?status=assigned")))
    # A member sees only their own questions, not the queue.
    member = text(client_as("member").get(url(community)))
    assert "Первый вопрос" in member and "Второй вопрос" not in member
    assert "Очередь консультаций" not in member
    # The consultant sees what is entrusted to them.
    expert = text(client_as("expert").get(url(community)))
    assert "Мне поручено" in expert and "Второй вопрос" in expert and "Первый вопрос" not in expert


def test_queue_query_count_does_not_grow(community, people, client_as):
    coordinator = client_as("coordinator")
    ask(community, people["member"])
    coordinator.get(url(community))
    with count_queries() as few:
        assert coordinator.get(url(community)).status_code == 200
    for n in range(6):
        c = ask(community, people["member"] if n % 2 else people["council"], topic=f"Тема {n}")
        assign(community, c, people["coordinator"], people["expert"])
    with count_queries() as many:
        assert coordinator.get(url(community)).status_code == 200
    assert many.count == few.count


def test_experts_come_first_in_the_picker_and_the_asker_is_left_out(
        community, people, client_as):
    c = ask(community, people["member"])
    page = text(client_as("coordinator").get(url(community, c)))
    experts = page.index('label="Эксперты сообщества"')
    others = page.index('label="Другие участники"')
    assert experts < page.index("Экспертова Оксана") < others < page.index("Советова Наталья")
    picker = page[page.index('name="consultant_id"'):page.index("</select>")]
    assert "Участникова Анна" not in picker


def test_coordinator_assigns_and_the_consultant_is_notified(community, people, client_as):
    c = ask(community, people["member"])
    response = client_as("chair").post(url(community, c, "assign"),
                                       data={"consultant_id": people["expert"].id})
    assert response.status_code == 303
    db.session.refresh(c)
    assert (c.status, c.consultant_id, c.assigned_by_id) == (
        "assigned", people["expert"].id, people["chair"].id)
    assert notes(people["expert"])[-1:] == [
        ("reply", f"Вам поручена консультация в «{community.name}»: «Маршрут педагога».")]
    assert ("reply", "По вашему вопросу «Маршрут педагога» назначен консультант: "
                     "Экспертова Оксана.") in notes(people["member"])


def test_assignment_rules(community, people, client_as):
    c = ask(community, people["member"])
    coordinator = client_as("coordinator")
    response = coordinator.post(url(community, c, "assign"),
                                data={"consultant_id": people["member"].id})
    assert response.status_code == 422
    assert "Автор вопроса не может быть своим консультантом" in text(response)
    response = coordinator.post(url(community, c, "assign"),
                                data={"consultant_id": people["outsider"].id})
    assert response.status_code == 422
    assert "Консультантом может быть только участник сообщества." in text(response)
    response = coordinator.post(url(community, c, "assign"), data={"consultant_id": ""})
    assert response.status_code == 422 and "Выберите консультанта." in text(response)
    db.session.refresh(c)
    assert c.status == "new" and c.consultant_id is None
    # A plain member may not assign.
    assert client_as("member").post(url(community, c, "assign"), data={
        "consultant_id": people["expert"].id}).status_code == 403


def test_reassigning_before_the_answer_only(community, people, client_as):
    c = ask(community, people["member"])
    assign(community, c, people["coordinator"], people["expert"])
    coordinator = client_as("coordinator")
    response = coordinator.post(url(community, c, "assign"),
                                data={"consultant_id": people["expert"].id})
    assert response.status_code == 422 and "уже назначен(а) консультантом" in text(response)
    assert coordinator.post(url(community, c, "assign"), data={
        "consultant_id": people["council"].id}).status_code == 303
    db.session.refresh(c)
    assert c.consultant_id == people["council"].id
    assert ("reply", "Консультация «Маршрут педагога» передана другому консультанту.") in \
        notes(people["expert"])
    # The previous consultant no longer sees it.
    assert client_as("expert").get(url(community, c)).status_code == 404
    post(community, c, people["council"], "Отвечаю.")
    response = coordinator.post(url(community, c, "assign"),
                                data={"consultant_id": people["expert"].id})
    assert response.status_code == 422
    assert "Консультант уже ответил: сменить его нельзя." in text(response)
    db.session.refresh(c)
    assert c.consultant_id == people["council"].id


# --- the private exchange ------------------------------------------------------------------


def test_exchange_with_htmx_and_status_answered(community, people, client_as):
    c = ask(community, people["member"])
    assign(community, c, people["coordinator"], people["expert"])
    member = client_as("member")
    response = member.post(url(community, c, "messages"), data={"body": "Дополню: *срочно*."},
                           headers=HX)
    assert response.status_code == 200 and "<html" not in text(response)
    body = text(response)
    m1 = db.session.scalar(select(ConsultationMessage))
    assert f'id="consultation-message-{m1.id}"' in body and "<em>срочно</em>" in body
    assert 'data-hx-swap-oob="true"' in body  # a fresh form and the status badge
    db.session.refresh(c)
    assert c.status == "assigned" and c.message_count == 1  # the asker's message answers nothing
    assert any("новое сообщение по консультации" in t for _, t in notes(people["expert"]))
    expert = client_as("expert")
    response = expert.post(url(community, c, "messages"), data={"body": "Вот ответ."})
    assert response.status_code == 303
    db.session.refresh(c)
    assert c.status == "answered" and c.answered_at is not None and c.message_count == 2
    assert ("reply", "Экспертова Оксана: новое сообщение по консультации «Маршрут педагога».") \
        in notes(people["member"])
    page = text(member.get(url(community, c)))
    assert "Дополню" in page and "Вот ответ." in page and "Есть ответ" in page


def test_consultation_page_query_count_does_not_grow_with_messages(
        community, people, client_as):
    c = ask(community, people["member"])
    assign(community, c, people["coordinator"], people["expert"])
    post(community, c, people["expert"], "Первый ответ")
    member = client_as("member")
    member.get(url(community, c))
    with count_queries() as few:
        assert member.get(url(community, c)).status_code == 200
    for n in range(5):
        post(community, c, people["member"] if n % 2 else people["expert"], f"Сообщение {n}")
    with count_queries() as many:
        page = member.get(url(community, c))
    assert "Сообщение 4" in text(page)
    assert many.count == few.count


def test_empty_message_comes_back_into_the_form(community, people, client_as):
    c = ask(community, people["member"])
    assign(community, c, people["coordinator"], people["expert"])
    response = client_as("expert").post(url(community, c, "messages"), data={"body": "  "},
                                        headers=HX)
    assert response.status_code == 422 and "Напишите сообщение." in text(response)
    assert response.headers["HX-Retarget"] == f"#reply-consultation-{c.id}"
    db.session.refresh(c)
    assert c.status == "assigned" and c.message_count == 0


def test_no_messages_before_assignment(community, people, client_as):
    c = ask(community, people["member"])
    response = client_as("member").post(url(community, c, "messages"), data={"body": "Ау"})
    assert response.status_code == 422
    assert "Консультант ещё не назначен" in text(response)
    assert db.session.scalar(select(ConsultationMessage)) is None


def test_exchange_is_private(community, people, client_as):
    c = ask(community, people["member"], question="Вопрос о школе")
    assign(community, c, people["coordinator"], people["expert"])
    post(community, c, people["expert"], "Секретный совет консультанта")
    # Those who run the queue see the question and status but not the messages.
    for role in ("coordinator", "chair", "admin"):
        page = client_as(role).get(url(community, c))
        assert page.status_code == 200
        assert "Вопрос о школе" in text(page) and "Секретный совет" not in text(page)
        assert "конфиденциальна" in text(page)
        assert client_as(role).post(url(community, c, "messages"),
                                    data={"body": "Вмешаюсь"}).status_code == 403
    # Other members do not learn that it exists.
    assert client_as("council").get(url(community, c)).status_code == 404
    assert client_as("council").post(url(community, c, "messages"),
                                     data={"body": "Я тут"}).status_code == 404
    assert client_as("outsider").get(url(community, c)).status_code == 403
    assert client_as("other_coordinator").get(url(community, c)).status_code == 403
    assert db.session.scalar(select(ConsultationMessage.body).where(
        ConsultationMessage.body == "Вмешаюсь")) is None
    # Not found in another community's URL either.
    other_community = people["other_community"]
    assert client_as("admin").get(url(other_community, c)).status_code == 404


# --- closing -------------------------------------------------------------------------------


def test_asker_closes_and_no_more_messages(community, people, client_as):
    c = ask(community, people["member"])
    assign(community, c, people["coordinator"], people["expert"])
    post(community, c, people["expert"], "Ответ")
    assert client_as("expert").post(url(community, c, "close")).status_code == 403
    member = client_as("member")
    assert member.post(url(community, c, "close")).status_code == 303
    db.session.refresh(c)
    assert c.status == "closed" and c.closed_by_id == people["member"].id
    assert ("reply", "Консультация «Маршрут педагога» закрыта.") in notes(people["expert"])
    response = client_as("expert").post(url(community, c, "messages"), data={"body": "Ещё"},
                                        headers=HX)
    assert response.status_code == 422
    assert "Консультация закрыта: новые сообщения не принимаются." in text(response)
    page = text(member.get(url(community, c)))
    assert "новые сообщения не принимаются" in page and 'name="body"' not in page
    response = member.post(url(community, c, "close"), follow_redirects=True)
    assert "Консультация уже закрыта." in text(response)
    assert db.session.scalar(select(ConsultationMessage.id).where(
        ConsultationMessage.body == "Ещё")) is None


def test_coordinator_closes_a_new_question(community, people, client_as):
    c = ask(community, people["member"])
    assert client_as("coordinator").post(url(community, c, "close")).status_code == 303
    db.session.refresh(c)
    assert c.status == "closed"
    response = client_as("coordinator").post(url(community, c, "assign"),
                                             data={"consultant_id": people["expert"].id})
    assert response.status_code == 422
    assert "Консультация закрыта: назначить консультанта нельзя." in text(response)
    page = text(client_as("coordinator").get(url(community, c)))
    assert 'name="consultant_id"' not in page and "Закрыть консультацию" not in page


# --- the counts for the annual report ------------------------------------------------------


def test_consultation_counts(community, people):
    a = ask(community, people["member"], topic="A")
    b = ask(community, people["member"], topic="B")
    c = ask(community, people["council"], topic="C")
    d = ask(community, people["council"], topic="D")
    assign(community, b, people["coordinator"], people["expert"])
    assign(community, c, people["coordinator"], people["expert"])
    post(community, c, people["expert"], "Ответ")
    with current_app.test_request_context("/"):
        services.close(d, community, people["council"])
        db.session.commit()
    old = ask(community, people["member"], topic="Прошлый год")
    old.created_at = utcnow() - timedelta(days=400)
    other = ask(people["other_community"], people["other_coordinator"], topic="Чужой")
    db.session.commit()
    start, end = utcnow() - timedelta(days=30), utcnow() + timedelta(days=1)
    assert community.id  # loaded before counting
    with count_queries() as q:
        counts = services.consultation_counts(community, start, end)
    assert q.count == 1
    assert counts == {"new": 1, "assigned": 1, "answered": 1, "closed": 1, "total": 4}
    assert services.consultation_counts(community, end, end + timedelta(days=1))["total"] == 0
    assert a.id and other.id


# --- demo data -----------------------------------------------------------------------------


def test_demo_seed_is_idempotent(community, people):
    from app.communities.models import Role
    from app.demo import governance_consultations
    from app.governance.mentoring.models import MentoringPair
    from tests.factories import make_membership, make_user

    demo = {key: people[key] for key in ("coordinator", "chair", "expert", "member")}
    demo["council1"] = people["council"]
    for key in ("council2", "member2", "applicant"):
        demo[key] = make_user(full_name=f"Демо {key}")
        if key != "applicant":
            make_membership(demo[key], community, Role.MEMBER, is_council=key == "council2")
    for _ in range(2):
        with current_app.test_request_context("/"):
            governance_consultations.seed(community, demo)
            db.session.commit()
    statuses = sorted(db.session.scalars(select(Consultation.status)))
    assert statuses == ["answered", "assigned", "closed", "new"]
    assert db.session.scalar(select(func.count(ConsultationMessage.id))) == 4
    assert db.session.scalar(select(func.count(MentoringPair.id))) == 2
