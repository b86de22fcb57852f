"""Events through their routes: creating, publishing, the list, signing up and the waiting
list in place (htmx), cancelling, the organiser's tools (participants, adding by hand,
attendance, messages, CSV and XLSX), time zones, and every bad input of the issue."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.events import services
from app.events.models import Event, Registration
from app.extensions import db
from app.mixins import utcnow
from app.notifications.models import Notification
from tests.events.conftest import make_event, sign_up
from tests.factories import make_community, make_membership, make_people, make_user
from tests.helpers import HX, count_queries, text


def url(community, event=None, tail=""):
    base = f"/c/{community.slug}/events"
    return f"{base}/{event.id}{tail}" if event else f"{base}/{tail}"


def local_input(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M")


def form_data(**kw):
    start = kw.pop("start", datetime.now() + timedelta(days=3))
    data = {
        "title": "Вебинар о наставничестве", "type": "webinar", "format": "online",
        "starts_at": local_input(start), "ends_at": local_input(start + timedelta(hours=2)),
        "online_url": "https://meet.example.org/room", "place": "", "capacity": "30",
        "description": "Программа: **наставничество** в школе.",
    }
    data.update(kw)
    return data


def notes(user) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == user.id).order_by(Notification.id)))


# --- creating and publishing ---------------------------------------------------------------


def test_coordinator_creates_a_draft_members_do_not_see_until_published(
        community, people, client_as):
    coordinator = client_as("coordinator")
    response = coordinator.post(url(community, tail="new"), data=form_data())
    assert response.status_code == 303
    event = db.session.scalar(select(Event))
    assert event.status == "draft" and event.capacity == 30
    assert event.organiser_ids == {people["coordinator"].id}
    assert "<strong>наставничество</strong>" in event.description_html
    member = client_as("member")
    assert member.get(url(community, event)).status_code == 404
    assert "Вебинар о наставничестве" not in text(member.get(url(community)))
    assert coordinator.post(url(community, event, "/publish")).status_code == 303
    assert member.get(url(community, event)).status_code == 200
    assert "Вебинар о наставничестве" in text(member.get(url(community)))


@pytest.mark.parametrize("role", ["member", "council", "expert"])
def test_only_managers_create_events(community, people, client_as, role):
    assert client_as(role).get(url(community, tail="new")).status_code == 403
    assert client_as(role).post(url(community, tail="new"), data=form_data()).status_code == 403
    assert db.session.scalar(select(Event)) is None


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_at": "shift:-1"}, "Окончание должно быть позже начала."),
    ({"ends_at": "shift:0"}, "Окончание должно быть позже начала."),
    ({"capacity": "0"}, "Число мест должно быть больше нуля."),
    ({"capacity": "-5"}, "Число мест должно быть больше нуля."),
    ({"capacity": "много"}, "Введите целое число."),
    ({"format": "offline", "place": ""}, "Укажите место проведения."),
    ({"online_url": ""}, "Укажите ссылку для подключения."),
    ({"online_url": "javascript:alert(1)"}, "Ссылка должна начинаться с http:// или https://."),
    ({"starts_at": "завтра"}, "Введите дату и время."),
    ({"title": "   "}, "Укажите название мероприятия."),
    ({"type": "party"}, "Выберите значение из списка."),
    ({"hours": "0"}, "Число часов — от 1 до 500."),
])
def test_bad_event_input_is_refused_with_a_message(community, people, client_as, changes,
                                                   message):
    start = datetime.now() + timedelta(days=3)
    data = form_data(start=start)
    for key, value in changes.items():
        if isinstance(value, str) and value.startswith("shift:"):
            value = local_input(start + timedelta(hours=int(value[6:])))
        data[key] = value
    response = client_as("coordinator").post(url(community, tail="new"), data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert db.session.scalar(select(Event)) is None


def test_registration_window_must_fit_the_event(community, people, client_as):
    start = datetime.now() + timedelta(days=3)
    data = form_data(start=start, registration_closes_at=local_input(start + timedelta(hours=5)))
    response = client_as("coordinator").post(url(community, tail="new"), data=data)
    assert response.status_code == 422
    assert "Запись должна закрываться не позже окончания мероприятия." in text(response)


def test_times_are_typed_and_shown_in_the_community_zone(people, client_as):
    community = make_community(slug="ekb", timezone="Asia/Yekaterinburg")
    crew = make_people(community)
    client = client_as("admin")
    client.post(url(community, tail="new"), data=form_data(
        starts_at="2027-03-10T10:00", ends_at="2027-03-10T12:00", organiser_ids=[]))
    event = db.session.scalar(select(Event))
    assert event.starts_at == datetime(2027, 3, 10, 5, 0)  # UTC+5
    page = text(client_as("admin").get(url(community, event)))
    assert "10 марта 2027\xa0г., 10:00" in page and "Asia/Yekaterinburg" in page
    edit = client.get(url(community, event, "/edit")).get_data(as_text=True)
    assert 'value="2027-03-10T10:00"' in edit
    assert crew  # the community's people exist; the admin created it


# --- signing up ----------------------------------------------------------------------------


def test_sign_up_in_place_then_waiting_list_then_promotion(community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1)
    member, council = client_as("member"), client_as("council")
    response = member.post(url(community, event, "/signup"), headers=HX)
    assert response.status_code == 200
    assert "Вы записаны" in text(response)
    assert f'id="signup-event-{event.id}"' in response.get_data(as_text=True)
    again = member.post(url(community, event, "/signup"), headers=HX)  # idempotent
    assert "Вы записаны" in text(again)
    db.session.refresh(event)
    assert event.confirmed_count == 1
    assert len(db.session.scalars(select(Registration)).all()) == 1

    waiting = council.post(url(community, event, "/signup"), headers=HX)
    assert "Вы в листе ожидания, 1-й" in text(waiting)
    expert = client_as("expert").post(url(community, event, "/signup"), headers=HX)
    assert "Вы в листе ожидания, 2-й" in text(expert)

    cancelled = member.post(url(community, event, "/signup/cancel"), headers=HX)
    assert cancelled.status_code == 200
    assert "Записаться" in text(cancelled)
    assert "Вы записаны" in text(council.get(url(community, event)))
    assert "Вы в листе ожидания, 1-й" in text(client_as("expert").get(url(community, event)))
    assert any("Освободилось место" in n for n in notes(people["council"]))
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlist_count) == (1, 1)


def test_plain_sign_up_redirects_with_a_message(community, people, client_as):
    event = make_event(community, people["coordinator"])
    response = client_as("member").post(url(community, event, "/signup"),
                                        follow_redirects=True)
    assert "Вы записаны на «Семинар «Функциональная грамотность»»." in text(response)


def test_sign_up_after_the_deadline(community, people, client_as):
    event = make_event(community, people["coordinator"])
    event.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = text(client_as("member").get(url(community, event)))
    assert "Запись закрыта: срок записи истёк." in page
    response = client_as("member").post(url(community, event, "/signup"), headers=HX)
    assert response.status_code == 422
    assert "Запись закрыта: срок записи истёк." in text(response)
    assert db.session.scalar(select(Registration)) is None


def test_sign_up_before_the_window_opens(community, people, client_as):
    event = make_event(community, people["coordinator"],
                       registration_opens_at=utcnow() + timedelta(hours=3))
    response = client_as("member").post(url(community, event, "/signup"), headers=HX)
    assert response.status_code == 422
    assert "Запись откроется" in text(response)


def test_sign_up_to_a_cancelled_event(community, people, client_as):
    event = make_event(community, people["coordinator"])
    client_as("coordinator").post(url(community, event, "/cancel"), data={"reason": "Карантин"})
    response = client_as("member").post(url(community, event, "/signup"), headers=HX)
    assert response.status_code == 422
    assert "Мероприятие отменено: запись закрыта." in text(response)
    assert db.session.scalar(select(Registration)) is None


def test_sign_up_to_a_draft_event(community, people, client_as):
    event = make_event(community, people["coordinator"], publish=False)
    assert client_as("member").post(url(community, event, "/signup")).status_code == 404
    with pytest.raises(services.DomainError, match="ещё не опубликовано"):
        services.sign_up(event, community, people["member"])
    assert db.session.scalar(select(Registration)) is None


def test_sign_up_to_an_event_of_a_community_you_are_not_in(community, people, client_as):
    event = make_event(community, people["coordinator"])
    assert client_as("outsider").post(url(community, event, "/signup")).status_code == 403
    assert client_as("other_coordinator").post(
        url(community, event, "/signup")).status_code == 403
    with pytest.raises(services.DomainError, match="Записаться могут только участники"):
        services.sign_up(event, community, people["outsider"])
    # An event id of this community under another community's address is not found.
    other = people["other_community"]
    assert client_as("other_coordinator").post(
        f"/c/{other.slug}/events/{event.id}/signup").status_code == 404
    assert db.session.scalar(select(Registration)) is None


def test_cancelling_when_not_signed_up(community, people, client_as):
    event = make_event(community, people["coordinator"])
    response = client_as("member").post(url(community, event, "/signup/cancel"), headers=HX)
    assert response.status_code == 422
    assert "Вы не записаны на это мероприятие." in text(response)


def test_raising_the_capacity_promotes_and_lowering_below_signed_up_is_refused(
        community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1, format="offline")
    sign_up(event, community, people["member"])
    sign_up(event, community, people["council"])
    client = client_as("coordinator")
    page = client.get(url(community, event, "/edit")).get_data(as_text=True)
    assert "Сохранить" in page
    start = services.to_local(event.starts_at, community).replace(tzinfo=None)
    data = form_data(start=start, format="offline", place="Актовый зал", capacity="2",
                     online_url="", organiser_ids=[people["coordinator"].id])
    assert client.post(url(community, event, "/edit"), data=data).status_code == 303
    db.session.refresh(event)
    assert (event.confirmed_count, event.waitlist_count) == (2, 0)
    assert any("Освободилось место" in n for n in notes(people["council"]))
    data["capacity"] = "1"
    response = client.post(url(community, event, "/edit"), data=data)
    assert response.status_code == 422
    assert "Уже записано 2; число мест не может быть меньше." in text(response)


# --- cancelling the event ------------------------------------------------------------------


def test_cancelling_notifies_everyone_signed_up(community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1)
    sign_up(event, community, people["member"])
    sign_up(event, community, people["council"])  # waiting
    client = client_as("coordinator")
    response = client.post(url(community, event, "/cancel"), data={"reason": " "})
    assert response.status_code == 422
    assert "Укажите причину отмены" in text(response)
    response = client.post(url(community, event, "/cancel"), data={"reason": "Болезнь лектора"},
                           follow_redirects=True)
    assert "Уведомлено записавшихся: 2." in text(response)
    for person in ("member", "council"):
        assert any("отменено. Причина: Болезнь лектора" in n for n in notes(people[person]))
    assert not any("отменено" in n for n in notes(people["expert"]))
    again = client.post(url(community, event, "/cancel"), data={"reason": "ещё раз"})
    assert "Мероприятие уже отменено." in text(again)


# --- the organiser -------------------------------------------------------------------------


def test_member_organiser_runs_the_list_but_plain_members_do_not(community, people, client_as):
    event = make_event(community, people["coordinator"],
                       organiser_ids=(people["council"].id,))
    assert client_as("council").get(url(community, event, "/participants")).status_code == 200
    assert client_as("member").get(url(community, event, "/participants")).status_code == 403
    assert client_as("member").get(url(community, event, "/participants.csv")).status_code \
        == 403


def test_organiser_adds_by_hand_and_the_person_is_told(community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1)
    client = client_as("coordinator")
    response = client.post(url(community, event, "/participants"),
                           data={"user_id": people["member"].id}, follow_redirects=True)
    assert "Участникова Анна записан(а)." in text(response)
    assert any("Организатор записал вас" in n for n in notes(people["member"]))
    response = client.post(url(community, event, "/participants"),
                           data={"user_id": people["council"].id}, follow_redirects=True)
    assert "Мест нет: Советова Наталья в листе ожидания." in text(response)
    outsider = client.post(url(community, event, "/participants"),
                           data={"user_id": people["outsider"].id})
    assert outsider.status_code == 422
    assert "Добавить можно только участника сообщества." in text(outsider)
    nobody = client.post(url(community, event, "/participants"), data={"user_id": "0"})
    assert "Выберите участника сообщества." in text(nobody)


def test_organiser_removes_a_participant_and_the_first_waiting_gets_the_seat(
        community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1)
    first = sign_up(event, community, people["member"])
    sign_up(event, community, people["council"])
    response = client_as("coordinator").post(
        url(community, event, f"/participants/{first.id}/remove"), follow_redirects=True)
    assert "Место получил(а) Советова Наталья из листа ожидания." in text(response)
    assert any("Организатор отменил вашу запись" in n for n in notes(people["member"]))


def test_attendance_is_marked_after_the_start_only(community, people, client_as):
    event = make_event(community, people["coordinator"])
    reg = sign_up(event, community, people["member"])
    client = client_as("coordinator")
    early = client.post(url(community, event, f"/participants/{reg.id}/came"), headers=HX)
    assert early.status_code == 422
    assert "Посещение можно отметить после начала мероприятия." in text(early)
    event.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = client.post(url(community, event, f"/participants/{reg.id}/came"), headers=HX)
    assert response.status_code == 200
    assert f'id="registration-{reg.id}"' in response.get_data(as_text=True)
    assert "был(а)" in text(response)
    db.session.refresh(reg)
    assert reg.attended is True
    client.post(url(community, event, f"/participants/{reg.id}/absent"))
    db.session.refresh(reg)
    assert reg.attended is False


def test_message_to_participants(community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1)
    sign_up(event, community, people["member"])
    sign_up(event, community, people["council"])
    client = client_as("coordinator")
    empty = client.post(url(community, event, "/message"), data={"audience": "confirmed",
                                                                 "text": ""})
    assert empty.status_code == 422 and "Напишите текст сообщения." in text(empty)
    response = client.post(url(community, event, "/message"),
                           data={"audience": "confirmed", "text": "Возьмите ноутбуки."},
                           follow_redirects=True)
    assert "Сообщение отправлено: 1 получателей." in text(response)
    assert any("Возьмите ноутбуки." in n for n in notes(people["member"]))
    assert not any("Возьмите ноутбуки." in n for n in notes(people["council"]))


def test_exports_list_confirmed_and_waiting(community, people, client_as):
    event = make_event(community, people["coordinator"], capacity=1)
    sign_up(event, community, people["member"])
    sign_up(event, community, people["council"])
    client = client_as("coordinator")
    response = client.get(url(community, event, "/participants.csv"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["№", "ФИО", "Организация"]
    assert [r[1] for r in rows[1:]] == ["Участникова Анна", "Советова Наталья"]
    assert [r[6] for r in rows[1:]] == ["записан(а)", "лист ожидания"]
    assert rows[2][7] == "1"
    xlsx = client.get(url(community, event, "/participants.xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == event.title
    assert values[2][1] == "ФИО"
    assert [v[1] for v in values[3:]] == ["Участникова Анна", "Советова Наталья"]


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_my_state_and_past_events(community, people, client_as):
    soon = make_event(community, people["coordinator"], title="Скоро")
    make_event(community, people["coordinator"], title="Давно",
               starts_at=utcnow() - timedelta(days=10))
    sign_up(soon, community, people["member"])
    page = text(client_as("member").get(url(community)))
    assert "Скоро" in page and "Вы записаны" in page and "Давно" not in page
    past = text(client_as("member").get(url(community, tail="?show=past")))
    assert "Давно" in past and "Скоро" not in past


def test_the_list_costs_the_same_queries_whatever_its_length(community, people, client_as):
    client = client_as("member")

    def measure() -> int:
        with count_queries() as counter:
            assert client.get(url(community)).status_code == 200
        return counter.count

    make_event(community, people["coordinator"])
    few = measure()
    for i in range(12):
        event = make_event(community, people["coordinator"], title=f"Семинар {i}")
        sign_up(event, community, people["member"])
    assert measure() == few


def test_a_member_can_be_added_after_the_event_for_attendance(community, people):
    event = make_event(community, people["coordinator"],
                       starts_at=utcnow() - timedelta(hours=3))
    with pytest.raises(services.DomainError, match="Мероприятие уже прошло."):
        services.sign_up(event, community, people["member"])
    newcomer = make_user()
    make_membership(newcomer, community)
    from flask import current_app

    with current_app.test_request_context("/"):
        reg = services.sign_up(event, community, newcomer, added_by=people["coordinator"])
    assert reg.status == "confirmed"


def test_moving_an_event_tells_the_signed_up_and_calendars(community, people, client_as):
    event = make_event(community, people["coordinator"], format="offline")
    sign_up(event, community, people["member"])
    before = client_as("member").get(url(community, event, ".ics")).get_data(as_text=True)
    assert "SEQUENCE:0" in before
    start = services.to_local(event.starts_at, community).replace(tzinfo=None) \
        + timedelta(days=1)
    data = form_data(start=start, format="offline", place="Другой зал", online_url="",
                     organiser_ids=[people["coordinator"].id], capacity="")
    assert client_as("coordinator").post(url(community, event, "/edit"),
                                         data=data).status_code == 303
    after = client_as("member").get(url(community, event, ".ics")).get_data(as_text=True)
    assert "SEQUENCE:1" in after
    assert any("Изменено время мероприятия" in n for n in notes(people["member"]))
