"""«Скачать мои данные»: the ZIP read back, the log of exports, and one export at a time."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mixins import utcnow
from app.privacy import export as exporter
from app.privacy.models import DataRequest
from tests.helpers import text
from tests.privacy.conftest import ATTACHMENT_PDF, ENTRY_PDF, MATERIAL_TEXT, OTHERS_SECRET

URL = "/profile/data/export"


def post(client):
    """POST the export and close the response (its temporary file) once read."""
    with client.post(URL) as response:
        response.get_data()
    return response


def read_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def load(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name).decode("utf-8"))


def requests() -> list[DataRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(DataRequest).order_by(DataRequest.id)))


def test_my_data_page_explains_the_export_and_links_deletion(client_as):
    page = client_as("member").get("/profile/data")
    assert page.status_code == 200
    body = text(page)
    assert "Скачать мои данные (ZIP)" in body and 'action="/profile/data/export"' in body
    assert "README.txt" in body and 'href="/profile/delete"' in body
    assert 'href="/privacy"' in body


def test_my_data_needs_login(client):
    assert client.get("/profile/data").headers["Location"].startswith("/auth/login")
    response = client.post(URL)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert requests() == []


def test_export_holds_everything_about_the_member_and_nothing_of_others(
        client_as, people, community, content):
    member, council = people["member"], people["council"]
    response = post(client_as("member"))
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert f"moi-dannye-{member.id}-{utcnow():%Y-%m-%d}.zip" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    archive = read_zip(response)
    names = set(archive.namelist())

    profile = load(archive, "profile.json")
    assert profile["email"] == member.email and profile["full_name"] == "Участникова Анна"
    assert "password_hash" not in profile and profile["id"] == member.id

    memberships = load(archive, "memberships.json")
    assert [(m["community"], m["role"], m["left_at"]) for m in memberships] == [
        (community.name, "member", None)]
    consents = load(archive, "consents.json")
    # make_membership appoints without a request: this member consented to nothing yet.
    assert consents == []

    topics = load(archive, "forum_topics.json")
    assert [t["title"] for t in topics] == ["Тема участницы"]
    posts = load(archive, "forum_posts.json")
    assert [p["body"] for p in posts] == ["Первое сообщение участницы",
                                          "Ответ участницы с вложением"]
    attachment = posts[1]["attachments"][0]
    assert attachment["name"] == "Вложение участницы.pdf"
    assert archive.read(attachment["file"]) == ATTACHMENT_PDF

    assert [m["body"] for m in load(archive, "chat_messages.json")] == [
        "Сообщение участницы в чате"]

    [material] = load(archive, "materials.json")
    assert (material["title"], material["role"], material["topics"]) == (
        "Материал участницы", "author", ["литература"])
    [mfile] = material["files"]
    assert mfile["name"] == "Конспект.txt" and mfile["current"] is True
    assert archive.read(mfile["file"]) == MATERIAL_TEXT

    [registration] = load(archive, "event_registrations.json")
    assert (registration["event"], registration["status"]) == ("Семинар завтра", "confirmed")
    [entry] = load(archive, "contest_entries.json")
    assert entry["title"] == "Работа участницы" and entry["contest"] == "Конкурс «Урок года»"
    assert archive.read(entry["files"][0]["file"]) == ENTRY_PDF

    # Notifications as they were written to her (they may name who acted).
    assert "Уведомление для участницы" in [n["text"] for n in
                                           load(archive, "notifications.json")]
    assert [(p["kind"], p["delivery"]) for p in
            load(archive, "notification_preferences.json")] == [("reply", "daily")]
    [complaint] = load(archive, "complaints.json")
    assert (complaint["ground"], complaint["comment"], complaint["object_id"]) == (
        "spam", "Жалоба участницы", content.others_post.id)
    [consultation] = load(archive, "consultations.json")
    assert consultation["topic"] == "Вопрос участницы"
    [pair] = load(archive, "mentoring.json")
    assert (pair["role"], pair["goal"]) == ("mentee", "Цель наставничества")

    readme = archive.read("README.txt").decode("utf-8")
    assert f"Учётная запись № {member.id}" in readme
    for name in names - {"README.txt"}:
        if name.endswith(".json"):
            assert name in readme, f"{name} is not described in README.txt"
    files = {n for n in names if n.startswith("files/")}
    assert len(files) == 3

    # Nothing of the council member: not their texts, files, e-mail or name.
    everything = b"".join(archive.read(n) for n in names).decode("utf-8", "replace")
    assert OTHERS_SECRET not in everything and council.email not in everything
    assert council.full_name not in everything.replace(
        archive.read("notifications.json").decode("utf-8"), "")
    assert "Council's own file" not in everything

    [logged] = requests()
    assert (logged.user_id, logged.kind, logged.status) == (member.id, "export", "done")
    assert logged.finished_at is not None
    assert logged.detail.startswith("файлов: 3, записей: ")


def test_consents_are_exported_with_their_times(client_as, people, community):
    from tests.factories import make_join_request

    outsider = people["outsider"]
    make_join_request(outsider, community)
    archive = read_zip(post(client_as("outsider")))
    consents = load(archive, "consents.json")
    assert sorted(c["kind"] for c in consents) == ["charter", "personal_data"]
    for consent in consents:
        assert consent["given_at"].endswith("Z") and consent["withdrawn_at"] is None
        assert consent["version"] == 1 and consent["text"]
    [join_request] = load(archive, "join_requests.json")
    assert (join_request["status"], join_request["community"]) == ("pending", community.name)


def test_a_running_export_refuses_a_second_one(client_as, people):
    member = people["member"]
    db.session.add(DataRequest(user_id=member.id, kind="export", status="running",
                               created_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    response = post(client_as("member"))
    assert response.status_code == 409
    assert ("Выгрузка ваших данных уже готовится. Подождите минуту и попробуйте снова."
            in text(response))
    assert [(r.status, r.finished_at) for r in requests()] == [("running", None)]


def test_a_stale_running_export_is_taken_over(client_as, people):
    member = people["member"]
    db.session.add(DataRequest(user_id=member.id, kind="export", status="running",
                               created_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    response = post(client_as("member"))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    stale, fresh = requests()
    assert stale.status == "failed" and stale.finished_at is not None
    assert "15 минут" in stale.detail
    assert fresh.status == "done"


def test_another_persons_running_export_does_not_block(client_as, people):
    db.session.add(DataRequest(user_id=people["chair"].id, kind="export", status="running"))
    db.session.commit()
    assert post(client_as("member")).status_code == 200


def test_two_exports_at_once_one_is_refused(app, people, content, monkeypatch):
    """Two real requests at the same time: the first holds its claim while it builds, the
    second arrives meanwhile and is refused; then the first completes."""
    member = people["member"]
    building, refused = threading.Event(), threading.Event()
    original = exporter.build_archive

    def slow_build(user, out):
        building.set()
        assert refused.wait(20), "the second request never came"
        return original(user, out)

    monkeypatch.setattr(exporter, "build_archive", slow_build)
    first: dict = {}
    client_a, client_b = app.test_client(user=member), app.test_client(user=member)

    def run_first():
        response = post(client_a)
        first["status"], first["data"] = response.status_code, response.get_data()

    thread = threading.Thread(target=run_first)
    thread.start()
    try:
        assert building.wait(20), "the first export never started"
        second = post(client_b)
    finally:
        refused.set()
        thread.join(30)
    assert second.status_code == 409
    assert "Выгрузка ваших данных уже готовится" in text(second)
    assert first["status"] == 200
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(first["data"])).namelist()
    assert [(r.kind, r.status) for r in requests()] == [("export", "done")]


def test_a_failing_export_is_logged_as_failed(client_as, people, monkeypatch):
    def broken(user, out):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(exporter, "build_archive", broken)
    response = post(client_as("member"))
    assert response.status_code == 500
    assert "Не удалось подготовить архив" in text(response)
    [logged] = requests()
    assert logged.status == "failed" and logged.finished_at is not None
    # The next attempt is not refused: nothing is left running.
    monkeypatch.undo()
    assert post(client_as("member")).status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "admin", "outsider"])
def test_every_logged_in_role_may_export(client_as, people, role):
    response = post(client_as(role))
    assert response.status_code == 200
    assert load(read_zip(response), "profile.json")["id"] == people[role].id
