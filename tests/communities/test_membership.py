"""Joining with consents, the admission queue, declining, leaving."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.communities.models import (
    Community,
    Consent,
    ConsentDocument,
    ConsentKind,
    JoinPolicy,
    JoinRequest,
    Membership,
    RequestStatus,
)
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import make_community, make_join_request, make_user
from tests.helpers import HX, text


def join_data(community: Community, **changes) -> dict:
    charter = db.session.scalar(ConsentDocument.latest(ConsentKind.CHARTER, community.id))
    pd = db.session.scalar(ConsentDocument.latest(ConsentKind.PERSONAL_DATA))
    return {
        "charter_consent": "y",
        "pd_consent": "y",
        "charter_version": str(charter.version),
        "pd_version": str(pd.version),
        "message": "Хочу делиться опытом",
        **changes,
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_join_form_shows_charter_and_consents(app, community):
    user = make_user()
    page = text(app.test_client(user=user).get(f"/c/{community.slug}/join"))
    assert "Положение о сообществе" in page  # the charter text itself
    assert "152-ФЗ" in page  # the personal data consent text
    assert "Я ознакомлен(а) с Положением и принимаю его" in page
    assert "Я даю согласие на обработку персональных данных" in page


def test_join_moderated_community_queues_request_with_consents(app, people, community):
    user = make_user()
    client = app.test_client(user=user)
    response = client.post(f"/c/{community.slug}/join", data=join_data(community))
    assert response.status_code == 303
    join_request = db.session.scalar(select(JoinRequest).where(JoinRequest.user_id == user.id))
    assert join_request.status == RequestStatus.PENDING
    assert join_request.message == "Хочу делиться опытом"
    consents = db.session.scalars(select(Consent).where(Consent.user_id == user.id)).all()
    assert {c.document.kind for c in consents} == {"charter", "personal_data"}
    assert all(c.given_at is not None for c in consents)
    assert join_request.charter_consent.document.community_id == community.id
    # Not a member yet; the coordinator is told.
    assert db.session.scalar(select(Membership).where(Membership.user_id == user.id)) is None
    note = db.session.scalar(
        select(Notification)
        .where(Notification.user_id == people["coordinator"].id)
        .order_by(Notification.id.desc())
    )
    assert "Новая заявка" in note.text
    page = text(client.get(f"/c/{community.slug}/"))
    assert "ждёт решения координатора" in page


def test_join_open_community_admits_at_once(app):
    community = make_community(join_policy=JoinPolicy.OPEN)
    user = make_user()
    response = app.test_client(user=user).post(
        f"/c/{community.slug}/join", data=join_data(community)
    )
    assert response.status_code == 303
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership is not None and membership.is_active
    assert db.session.get(Community, community.id).member_count == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"charter_consent": ""}, "Без согласия с Положением вступить нельзя."),
        ({"pd_consent": ""}, "Без согласия на обработку персональных данных вступить нельзя."),
        ({"message": "я" * 2001}, "Не больше 2000 символов."),
        ({"charter_version": "0"}, "текст Положения или согласия изменился"),
        ({"charter_version": "abc"}, "текст Положения или согласия изменился"),
    ],
)
def test_join_bad_input_saves_nothing(app, community, changes, message):
    user = make_user()
    data = join_data(community, **changes)
    if changes.get("charter_consent") == "":
        del data["charter_consent"]
    if changes.get("pd_consent") == "":
        del data["pd_consent"]
    response = app.test_client(user=user).post(f"/c/{community.slug}/join", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert count(JoinRequest) == 0
    assert count(Consent) == 0


def test_charter_change_is_a_new_version_kept_with_consent(app, people, community):
    first = make_join_request(make_user(), community)
    with app.test_request_context("/"):
        from app.communities import services

        services.update_community(community, people["admin"], charter="Новая редакция.")
        db.session.commit()
    second = make_join_request(make_user(), community)
    assert first.charter_consent.document.version == 1
    assert second.charter_consent.document.version == 2
    assert second.charter_consent.document.text == "Новая редакция."


def test_joining_twice_is_refused(app, community):
    user = make_user()
    client = app.test_client(user=user)
    client.post(f"/c/{community.slug}/join", data=join_data(community))
    response = client.post(f"/c/{community.slug}/join", data=join_data(community))
    assert response.status_code == 422
    assert "Ваша заявка уже отправлена" in text(response)
    assert count(JoinRequest) == 1


def test_member_joining_again_is_redirected(app, people, community):
    response = app.test_client(user=people["member"]).post(
        f"/c/{community.slug}/join", data=join_data(community), follow_redirects=True
    )
    assert "Вы уже участник этого сообщества." in text(response)


def test_join_unknown_community_is_404(app):
    response = app.test_client(user=make_user()).get("/c/no-such-community/join")
    assert response.status_code == 404
    assert "Страница не найдена" in text(response)


def test_cancel_own_request(app, community):
    user = make_user()
    join_request = make_join_request(user, community)
    response = app.test_client(user=user).post(f"/c/{community.slug}/join/cancel")
    assert response.status_code == 303
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.CANCELLED


# --- admission -------------------------------------------------------------------------


def test_queue_shows_pending_requests_with_message(client_as, community):
    applicant = make_user(full_name="Заявителева Полина")
    make_join_request(applicant, community, message="Работаю в ШНОР")
    page = text(client_as("coordinator").get(f"/c/{community.slug}/admissions"))
    assert "Заявителева Полина" in page
    assert "Работаю в ШНОР" in page
    assert "Принять" in page and "Отклонить" in page


def test_admit_inline_with_htmx(client_as, community):
    applicant = make_user()
    join_request = make_join_request(applicant, community)
    response = client_as("coordinator").post(
        f"/c/{community.slug}/admissions/{join_request.id}/admit", headers=HX
    )
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body
    assert f'id="join-request-{join_request.id}"' in body
    assert "Принята" in body
    assert 'data-hx-swap-oob="true"' in body  # the flash message comes along
    db.session.expire_all()
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.ADMITTED
    membership = db.session.scalar(select(Membership).where(Membership.user_id == applicant.id))
    assert membership.join_request_id == join_request.id
    assert db.session.get(Community, community.id).member_count == 6  # 5 people + applicant
    note = db.session.scalar(
        select(Notification).where(Notification.user_id == applicant.id)
    )
    assert "Вы приняты в сообщество" in note.text


def test_admit_plain_post_redirects(client_as, community):
    join_request = make_join_request(make_user(), community)
    response = client_as("coordinator").post(
        f"/c/{community.slug}/admissions/{join_request.id}/admit"
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{community.slug}/admissions")


def test_admitting_twice_is_harmless(client_as, community):
    join_request = make_join_request(make_user(), community)
    client = client_as("coordinator")
    client.post(f"/c/{community.slug}/admissions/{join_request.id}/admit", headers=HX)
    response = client.post(f"/c/{community.slug}/admissions/{join_request.id}/admit", headers=HX)
    assert response.status_code == 200
    assert "Эта заявка уже рассмотрена." in text(response)
    assert count(Membership) == 7  # 5 + other coordinator + applicant, once


def test_decline_needs_a_reason(client_as, community):
    join_request = make_join_request(make_user(), community)
    response = client_as("coordinator").post(
        f"/c/{community.slug}/admissions/{join_request.id}/decline",
        data={"reason": "   "},
        headers=HX,
    )
    assert response.status_code == 422
    assert "Укажите причину отказа." in text(response)
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.PENDING


def test_decline_with_reason_notifies_and_keeps_message(client_as, community):
    applicant = make_user()
    join_request = make_join_request(applicant, community, message="Моё сообщение")
    client = client_as("coordinator")
    response = client.post(
        f"/c/{community.slug}/admissions/{join_request.id}/decline",
        data={"reason": "Сообщество только для руководителей"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "Отклонена" in text(response)
    db.session.expire_all()
    declined = db.session.get(JoinRequest, join_request.id)
    assert declined.status == RequestStatus.DECLINED
    assert declined.decline_reason == "Сообщество только для руководителей"
    note = db.session.scalar(select(Notification).where(Notification.user_id == applicant.id))
    assert "Сообщество только для руководителей" in note.text
    # After deciding, the coordinator still sees the applicant's message.
    page = text(client.get(f"/c/{community.slug}/admissions"))
    assert "Рассмотренные заявки" in page and "Моё сообщение" in page


def test_request_of_another_community_is_404(client_as, people, community):
    other_request = make_join_request(make_user(), people["other_community"])
    response = client_as("coordinator").post(
        f"/c/{community.slug}/admissions/{other_request.id}/admit"
    )
    assert response.status_code == 404
    assert db.session.get(JoinRequest, other_request.id).status == RequestStatus.PENDING


@pytest.mark.parametrize("role", ["member", "chair", "council", "expert", "outsider",
                                  "other_coordinator"])
def test_only_coordinators_admit(client_as, community, role):
    join_request = make_join_request(make_user(), community)
    client = client_as(role)
    assert client.get(f"/c/{community.slug}/admissions").status_code == 403
    response = client.post(f"/c/{community.slug}/admissions/{join_request.id}/admit")
    assert response.status_code == 403
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.PENDING


def test_administrator_may_admit(client_as, community):
    join_request = make_join_request(make_user(), community)
    response = client_as("admin").post(f"/c/{community.slug}/admissions/{join_request.id}/admit")
    assert response.status_code == 303
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.ADMITTED


# --- leaving ---------------------------------------------------------------------------


def test_leave_asks_for_confirmation_then_leaves(client_as, people, community):
    client = client_as("member")
    page = text(client.get(f"/c/{community.slug}/leave"))
    assert "Выйти из сообщества?" in page
    response = client.post(f"/c/{community.slug}/leave")
    assert response.status_code == 303
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == people["member"].id)
    )
    assert membership.left_at is not None  # the history stays
    assert db.session.get(Community, community.id).member_count == 4


def test_rejoin_after_leaving_opens_a_new_period(app, client_as, people, community):
    client_as("member").post(f"/c/{community.slug}/leave")
    join_request = make_join_request(people["member"], community)
    client_as("coordinator").post(f"/c/{community.slug}/admissions/{join_request.id}/admit")
    periods = db.session.scalars(
        select(Membership).where(Membership.user_id == people["member"].id)
    ).all()
    assert len(periods) == 2
    assert sum(1 for m in periods if m.left_at is None) == 1


def test_leaving_a_community_you_are_not_in(client_as, community):
    response = client_as("outsider").post(f"/c/{community.slug}/leave", follow_redirects=True)
    assert "Вы не состоите в этом сообществе." in text(response)


def test_only_coordinator_cannot_leave(client_as, people, community):
    response = client_as("coordinator").post(f"/c/{community.slug}/leave")
    assert response.status_code == 422
    assert "единственный координатор" in text(response)
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == people["coordinator"].id)
    )
    assert membership.left_at is None
