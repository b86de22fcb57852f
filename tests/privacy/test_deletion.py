"""«Удалить учётную запись»: personal data erased, consents withdrawn with the time, what
was posted kept and signed «Удалённый участник», seats freed, the request logged; refusals
leave everything as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.auth.models import User
from app.communities.models import (
    Community,
    Consent,
    JoinRequest,
    Membership,
    Role,
)
from app.events.models import CalendarFeed, Registration
from app.extensions import db
from app.mixins import utcnow
from app.notifications.models import Notification, NotificationPreference, OutgoingMail
from app.privacy import services
from app.privacy.models import DataRequest
from app.search import search
from tests.factories import PASSWORD, make_join_request, make_membership
from tests.helpers import text
from tests.privacy.conftest import reload

URL = "/profile/delete"
CONFIRMED = {"password": PASSWORD, "confirm": "y"}


def snapshot(user: User) -> tuple:
    """What a refused deletion must leave as it was."""
    db.session.expire_all()
    user = db.session.get(User, user.id)
    return (
        user.full_name, user.email, user.password_hash, user.deleted_at,
        db.session.scalar(select(func.count(Membership.id)).where(
            Membership.user_id == user.id, Membership.left_at.is_(None))),
        db.session.scalar(select(func.count(Consent.id)).where(
            Consent.user_id == user.id, Consent.withdrawn_at.is_(None))),
        tuple(db.session.scalars(select(Community.member_count).order_by(Community.id))),
        db.session.scalar(select(func.count(DataRequest.id))),
    )


def test_page_explains_what_happens(client_as):
    page = client_as("member").get(URL)
    assert page.status_code == 200
    body = text(page)
    assert "Удаление нельзя отменить" in body and "«Удалённый участник»" in body
    assert 'name="password"' in body and 'name="confirm"' in body
    assert 'href="/profile/data"' in body


def test_page_needs_login(client):
    assert client.get(URL).headers["Location"].startswith("/auth/login")


def test_deletion_erases_withdraws_keeps_posts_and_frees_seats(
        app, client_as, people, community, content):
    member, council = people["member"], people["council"]
    # Consents given on joining another community (open: admitted at once), a pending
    # request to a third, a calendar feed and a letter waiting to go.
    open_community = make_open_community(people["admin"])
    make_join_request(member, open_community)
    moderated = make_moderated_community(people["admin"])
    pending = make_join_request(member, moderated, message="Прошу принять: Участникова, 8-900")
    db.session.add(CalendarFeed(user_id=member.id, token="t" * 40))
    db.session.add(OutgoingMail(user_id=member.id, to_addr=member.email, subject="Письмо",
                                text_body="x", html_body="<p>x</p>"))
    db.session.commit()
    counts_before = {c.id: c.member_count for c in db.session.scalars(select(Community))}
    old_email = member.email

    assert [hit.object_id for hit in search("Участникова", kinds=["material"])] == [
        content.material.id]

    client = client_as("member")
    response = client.post(URL, data=CONFIRMED)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    user = reload(member)

    # Personal data erased; the account cannot be used.
    assert user.full_name == "Удалённый участник"
    assert user.email == f"deleted-{member.id}@deleted.invalid"
    assert (user.position, user.organisation, user.municipality) == ("", "", "")
    assert not user.is_admin and not user.show_memberships and user.last_login_at is None
    assert user.deleted_at is not None and not user.check_password(PASSWORD)

    # Consents withdrawn, with the time.
    consents = list(db.session.scalars(select(Consent).where(Consent.user_id == member.id)))
    assert len(consents) == 4
    assert {c.withdrawn_at for c in consents} == {user.deleted_at}

    # Memberships closed through the leave service: the counts follow.
    assert db.session.scalar(select(func.count(Membership.id)).where(
        Membership.user_id == member.id, Membership.left_at.is_(None))) == 0
    counts_after = {c.id: c.member_count for c in db.session.scalars(select(Community))}
    assert counts_after[community.id] == counts_before[community.id] - 1
    assert counts_after[open_community.id] == counts_before[open_community.id] - 1
    assert counts_after[moderated.id] == counts_before[moderated.id]
    pending = db.session.get(JoinRequest, pending.id)
    assert pending.status == "cancelled" and pending.message == ""

    # The seat of tomorrow's seminar went to the council member, who waited.
    registrations = {r.user_id: r.status for r in db.session.scalars(
        select(Registration).where(Registration.event_id == content.seminar.id))}
    assert registrations == {member.id: "cancelled", council.id: "confirmed"}
    assert db.session.scalar(select(Notification.text).where(
        Notification.user_id == council.id).order_by(Notification.id.desc()).limit(1)
    ).startswith("Освободилось место")

    # Notifications, their settings, the unsent letter and the feed token are gone.
    for model in (Notification, NotificationPreference, OutgoingMail, CalendarFeed):
        assert db.session.scalar(select(func.count()).select_from(model).where(
            model.user_id == member.id)) == 0, model

    # The request is in the administrators' log.
    [logged] = db.session.scalars(select(DataRequest)).all()
    assert (logged.user_id, logged.kind, logged.status) == (member.id, "deletion", "done")
    assert logged.finished_at == user.deleted_at
    assert "сообществ покинуто: 2" in logged.detail and "согласий отозвано: 4" in logged.detail
    assert "заявлений отозвано: 1" in logged.detail
    assert "записей на мероприятия отменено: 1" in logged.detail
    assert "Участникова" not in logged.detail

    # What she posted stays, signed «Удалённый участник».
    viewer = client_as("coordinator")
    topic_page = text(viewer.get(f"/c/{community.slug}/forum/topics/{content.topic.id}"))
    assert "Ответ участницы с вложением" in topic_page and "Удалённый участник" in topic_page
    assert "Участникова Анна" not in topic_page
    material_page = text(viewer.get(f"/c/{community.slug}/materials/{content.material.id}"))
    assert "Материал участницы" in material_page and "Удалённый участник" in material_page
    assert "Участникова" not in material_page
    # The bank's search no longer finds her material by her erased name.
    assert search("Участникова", kinds=["material"]) == []
    entry_page = text(viewer.get(
        f"/c/{community.slug}/events/{content.contest.id}/entries/{content.entry.id}"))
    assert "Работа участницы" in entry_page and "Удалённый участник" in entry_page

    # Her profile shows nothing but that; her old session is gone; the address is free.
    profile = viewer.get(f"/users/{member.id}")
    assert profile.status_code == 200
    assert "Удалённый участник" in text(profile) and old_email not in text(profile)
    assert "Школа" not in text(profile)
    again = client.get("/profile/data")
    assert again.status_code == 302 and again.headers["Location"].startswith("/auth/login")
    login = app.test_client().post("/auth/login", data={"email": old_email,
                                                        "password": PASSWORD})
    assert login.status_code == 422
    assert "Неверный адрес электронной почты или пароль." in text(login)
    fresh = app.test_client().post("/auth/register", data={
        "email": old_email, "password": "new-password-1", "password2": "new-password-1",
        "full_name": "Новая Учётная Запись", "position": "Учитель",
        "organisation": "Школа № 1", "municipality": "Тула"})
    assert fresh.status_code == 303
    assert db.session.scalar(User.by_email(old_email)).full_name == "Новая Учётная Запись"


def test_deleted_user_session_is_logged_out(app, people):
    member = people["member"]
    client = app.test_client(user=member)
    assert client.get("/profile/data").status_code == 200
    with current_app.test_request_context("/"):
        services.delete_account(db.session.get(User, member.id))
        db.session.commit()
    response = client.get("/profile/data")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_only_coordinator_is_refused_and_nothing_changes(client_as, people, community):
    coordinator = people["coordinator"]
    before = snapshot(coordinator)
    page = client_as("coordinator").get(URL)
    assert page.status_code == 200
    message = (f"Вы — единственный координатор сообщества «{community.name}». Удалить учётную "
               "запись можно после того, как администратор назначит другого координатора.")
    assert message in text(page)
    response = client_as("coordinator").post(URL, data=CONFIRMED)
    assert response.status_code == 422
    assert message in text(response) and 'name="password"' in text(response)
    assert snapshot(coordinator) == before


def test_coordinator_with_a_second_coordinator_may_leave(client_as, people, community):
    make_membership(people["council"], community, Role.COORDINATOR)
    response = client_as("coordinator").post(URL, data=CONFIRMED)
    assert response.status_code == 303
    assert reload(people["coordinator"]).is_deleted


def test_only_administrator_is_refused(client_as, people):
    admin = people["admin"]
    others = db.session.scalars(select(User).where(User.is_admin, User.id != admin.id)).all()
    for other in others:
        other.is_admin = False
    db.session.commit()
    before = snapshot(admin)
    response = client_as("admin").post(URL, data=CONFIRMED)
    assert response.status_code == 422
    assert "Вы — единственный администратор площадки." in text(response)
    assert snapshot(admin) == before


@pytest.mark.parametrize("data, message", [
    ({"password": "wrong-password", "confirm": "y"}, "Пароль введён неверно."),
    ({"password": "", "confirm": "y"}, "Введите текущий пароль."),
    ({"password": PASSWORD}, "Подтвердите, что понимаете последствия удаления."),
])
def test_bad_input_is_refused(client_as, people, data, message):
    member = people["member"]
    before = snapshot(member)
    response = client_as("member").post(URL, data=data)
    assert response.status_code == 422 and message in text(response)
    assert snapshot(member) == before


def test_past_sign_ups_stay_and_posts_keep_their_author_id(client_as, people, community,
                                                          content):
    from app.events import services as events
    from app.events.models import Event

    member = people["member"]
    with current_app.test_request_context("/"):
        past = events.create_event(community, people["coordinator"], events.EventFields(
            title="Прошедший семинар", type="seminar", format="offline", place="Зал",
            starts_at=utcnow() - timedelta(days=3),
            ends_at=utcnow() - timedelta(days=3, hours=-2)))
        events.publish(past, people["coordinator"])
        came = events.sign_up(past, community, member, added_by=people["coordinator"])
        db.session.commit()
    assert client_as("member").post(URL, data=CONFIRMED).status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, came.id).status == "confirmed"
    assert db.session.get(Event, past.id).confirmed_count == 1
    from app.forum.models import Post

    # The post stays hers, under the erased name.
    assert db.session.get(Post, content.post.id).author_id == member.id


def make_open_community(admin):
    from tests.factories import make_community

    return make_community(admin=admin, join_policy="open")


def make_moderated_community(admin):
    from tests.factories import make_community

    return make_community(admin=admin)

