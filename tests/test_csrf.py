"""CSRF is on in production: a state-changing request without the token is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.communities.models import JoinRequest, RequestStatus
from app.extensions import db
from tests.factories import make_join_request, make_user
from tests.helpers import HX, text


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def token_from(page: str) -> str:
    match = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert match, "the #page wrapper carries the token in hx-headers"
    return match.group(1)


def test_form_without_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/auth/register", data={
        "full_name": "Иванов Иван", "email": "ivanov@school.ru", "position": "Учитель",
        "organisation": "Школа", "municipality": "Тула",
        "password": "пароль-длинный", "password2": "пароль-длинный",
    })
    assert response.status_code == 400
    assert "Срок действия формы истёк" in text(response)
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_htmx_post_with_header_token_is_accepted(csrf_app, people, community):
    join_request = make_join_request(make_user(), community)
    client = csrf_app.test_client(user=people["coordinator"])
    token = token_from(text(client.get(f"/c/{community.slug}/admissions")))
    url = f"/c/{community.slug}/admissions/{join_request.id}/admit"

    refused = client.post(url, headers=HX)
    assert refused.status_code == 400
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.PENDING

    accepted = client.post(url, headers={**HX, "X-CSRFToken": token})
    assert accepted.status_code == 200
    assert db.session.get(JoinRequest, join_request.id).status == RequestStatus.ADMITTED


def test_logout_without_token_keeps_the_session(csrf_app):
    client = csrf_app.test_client(user=make_user())
    response = client.post("/auth/logout")
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" in session
