"""E-mail: preferences per kind, letters at once over a real SMTP server (aiosmtpd on
127.0.0.1), digests, retries when the server fails, the outbox folder, unsubscribe links."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from app.extensions import db
from app.mixins import utcnow
from app.notifications import digests, mail
from app.notifications.models import (
    Delivery,
    MailDigest,
    Notification,
    NotificationPreference,
    OutgoingMail,
)
from app.notifications.services import (
    mark_read,
    notify,
    notify_many,
    preferences_of,
    set_preferences,
)
from app.notifications.tokens import make_unsubscribe_token
from tests import factories
from tests.factories import make_join_request, make_user
from tests.helpers import count_queries, text


class Collector:
    """aiosmtpd handler: keeps every message that arrives."""

    def __init__(self) -> None:
        self.messages: list = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content,
                                                policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def outbox(app):
    folder = Path(app.config["MAIL_OUTBOX"])
    shutil.rmtree(folder, ignore_errors=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def smtp(app, outbox):
    """A real SMTP server on 127.0.0.1, and the app configured to send through it."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS",
                                        "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_TIMEOUT=5)
    collector.controller = controller
    collector.port = port
    collector.running = True
    yield collector
    if collector.running:
        collector.controller.stop()
    app.config.update(saved)


def stop(smtp: Collector) -> None:
    """The server goes down."""
    smtp.controller.stop()
    smtp.running = False


def restart(smtp: Collector) -> None:
    """The server comes back on the same port."""
    smtp.controller = Controller(smtp, hostname="127.0.0.1", port=smtp.port)
    smtp.controller.start()
    smtp.running = True


def parts(message) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def waiting_letters() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(OutgoingMail.id)).where(
        OutgoingMail.sent_at.is_(None))) or 0


# --- preferences ---------------------------------------------------------------------------


def test_defaults_admission_moderation_events_at_once_the_rest_weekly(app):
    user = make_user()
    assert preferences_of(user) == {
        "admission": "instant", "moderation": "instant", "event": "instant",
        "reply": "weekly", "plan": "weekly", "announcement": "weekly",
    }


def test_settings_page_shows_and_saves_the_choice(app):
    user = make_user()
    client = app.test_client(user=user)
    page = text(client.get("/notifications/settings"))
    assert "Настройки уведомлений" in page
    assert "Ответы и упоминания" in page and "Еженедельная сводка" in page
    # the default is checked
    assert re.search(r'<input checked id="reply-3"[^>]*value="weekly"', page) \
        or re.search(r'value="weekly"[^>]*checked|checked[^>]*value="weekly"', page)
    form = {kind: value for kind, value in preferences_of(user).items()}
    form.update(reply="daily", admission="site")
    response = client.post("/notifications/settings", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    assert preferences_of(user)["reply"] == "daily"
    assert preferences_of(user)["admission"] == "site"
    assert preferences_of(user)["event"] == "instant"


def test_settings_refuse_an_unknown_choice_and_save_nothing(app):
    user = make_user()
    client = app.test_client(user=user)
    form = dict(preferences_of(user), reply="hourly", admission="site")
    response = client.post("/notifications/settings", data=form)
    assert response.status_code == 422
    assert "Выберите значение из списка." in text(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0


def test_settings_need_login(client):
    response = client.get("/notifications/settings")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- letters at once -----------------------------------------------------------------------


def test_admission_by_the_coordinator_arrives_at_once_over_smtp(app, people, community, smtp):
    applicant = make_user(full_name="Заявителева Полина", email="polina@school.ru")
    join_request = make_join_request(applicant, community)
    response = app.test_client(user=people["coordinator"]).post(
        f"/c/{community.slug}/admissions/{join_request.id}/admit")
    assert response.status_code == 303
    # delivered right after the request, not by a later job (with the letters of the
    # appointments that set up `people`, still in the queue)
    letters = [m for m in smtp.messages if m["To"] == "polina@school.ru"]
    assert len(letters) == 1
    message = letters[0]
    assert ["polina@school.ru"] in [e.rcpt_tos for e in smtp.envelopes]
    assert message["To"] == "polina@school.ru"
    assert "Вы приняты в сообщество" in message["Subject"]
    plain, html = parts(message)
    assert "Вступление и роли" in plain and "Вы приняты в сообщество" in plain
    assert "Заявителева Полина, вы получили это письмо" in plain
    assert "<html lang=\"ru\">" in html and "Открыть на сайте" in html
    assert f"/c/{community.slug}" in plain
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in unsubscribe and unsubscribe in plain
    assert waiting_letters() == 0


def test_weekly_kind_sends_no_letter_at_once(app, smtp):
    user = make_user()
    notify(user, "reply", "Вам ответили в теме «Наставничество»", "/c/x")
    db.session.commit()
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0
    assert mail.deliver_pending().sent == 0
    assert smtp.messages == []


def test_site_only_sends_nothing_ever(app, smtp):
    user = make_user()
    set_preferences(user, {"admission": Delivery.SITE})
    notify(user, "admission", "Вы приняты", "/")
    db.session.commit()
    digests.send_digests(utcnow() + timedelta(days=8))
    db.session.commit()
    mail.deliver_pending()
    assert smtp.messages == []
    # but the bell has it
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_urgent_goes_at_once_even_when_the_kind_is_weekly(app, smtp):
    user = make_user()
    set_preferences(user, {"event": Delivery.WEEKLY})
    notify(user, "event", "Завтра семинар", "/", urgent=True)
    db.session.commit()
    mail.deliver_pending()
    assert len(smtp.messages) == 1


def test_a_rolled_back_action_queues_no_letter(app):
    user = make_user()
    notify(user, "admission", "Вы приняты", "/")
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0


def test_deleted_account_gets_no_letter(app, smtp):
    user = make_user()
    user.deleted_at = utcnow()
    db.session.commit()
    notify(user, "admission", "Вы приняты", "/")
    db.session.commit()
    assert mail.deliver_pending().sent == 0
    assert smtp.messages == []


def test_notify_many_queues_in_constant_queries(app):
    users = [make_user() for _ in range(12)]

    def queries_for(ids):
        with count_queries() as counter:
            notify_many(ids, "event", "Семинар перенесён", "/c/x")
            db.session.flush()
        db.session.rollback()
        return counter.count

    assert queries_for([u.id for u in users[:2]]) == queries_for([u.id for u in users])


def test_outbox_folder_without_smtp(app, outbox):
    user = make_user(email="olga@school.ru")
    notify(user, "moderation", "Ваш материал опубликован", "/c/x/materials/1")
    db.session.commit()
    result = mail.deliver_pending()
    assert result.sent == 1
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "olga@school.ru"
    plain, html = parts(message)
    assert "Модерация моих материалов" in plain and "Ваш материал опубликован" in html
    # running again writes nothing more
    assert mail.deliver_pending().sent == 0
    assert len(list(outbox.glob("*.eml"))) == 1


# --- failures and retries ------------------------------------------------------------------


def test_a_failing_server_loses_nothing_and_the_letter_goes_later(app, smtp):
    user = make_user(email="anna@school.ru")
    stop(smtp)  # the server is down
    notify(user, "admission", "Вы приняты в сообщество", "/")
    db.session.commit()
    result = mail.deliver_pending()
    assert (result.sent, result.failed) == (0, 1)
    db.session.expire_all()
    letter = db.session.scalar(select(OutgoingMail))
    assert letter.sent_at is None and letter.attempts == 1
    assert "ConnectionRefusedError" in letter.last_error
    assert letter.next_attempt_at > utcnow()
    # not yet due: nothing is tried
    assert mail.deliver_pending().failed == 0
    # the server is back; at the next attempt the letter goes, once
    restart(smtp)
    later = utcnow() + timedelta(minutes=6)
    assert mail.deliver_pending(now=later).sent == 1
    assert mail.deliver_pending(now=later + timedelta(hours=1)).sent == 0
    assert [m["To"] for m in smtp.messages] == ["anna@school.ru"]
    db.session.expire_all()
    letter = db.session.scalar(select(OutgoingMail))
    assert letter.sent_at is not None and letter.attempts == 2 and letter.last_error == ""


def test_a_request_survives_a_failing_server(app, people, community, smtp):
    stop(smtp)
    join_request = make_join_request(make_user(email="later@school.ru"), community)
    response = app.test_client(user=people["coordinator"]).post(
        f"/c/{community.slug}/admissions/{join_request.id}/admit")
    assert response.status_code == 303  # admitted all the same
    letter = db.session.scalar(select(OutgoingMail).where(
        OutgoingMail.to_addr == "later@school.ru"))
    assert letter.sent_at is None and letter.attempts == 1


def test_retry_waits_grow_and_stay_bounded():
    assert mail._retry_delay(1) == timedelta(minutes=5)
    assert mail._retry_delay(2) == timedelta(minutes=10)
    assert mail._retry_delay(30) == timedelta(hours=6)


def test_a_claimed_letter_is_not_sent_by_a_second_sender(app, smtp):
    user = make_user()
    notify(user, "admission", "Вы приняты", "/")
    db.session.commit()
    letter = db.session.scalar(select(OutgoingMail))
    letter.claimed_until = utcnow() + timedelta(minutes=5)  # another sender holds it
    db.session.commit()
    assert mail.deliver_pending().sent == 0
    assert mail.deliver_pending(now=utcnow() + timedelta(minutes=11)).sent == 1
    assert len(smtp.messages) == 1


def test_two_senders_at_once_send_each_letter_once(app, smtp):
    for n in range(6):
        notify(make_user(), "admission", f"Вы приняты {n}", "/")
    db.session.commit()
    results = []

    def run():
        with app.app_context():
            results.append(mail.deliver_pending())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.sent for r in results) == 6
    time.sleep(0.1)
    assert len(smtp.messages) == 6


def test_cli_send_mail_delivers_the_queue(app, smtp):
    notify(make_user(), "admission", "Вы приняты", "/")
    db.session.commit()
    stop(smtp)
    mail.deliver_pending()
    restart(smtp)
    db.session.execute(OutgoingMail.__table__.update().values(next_attempt_at=utcnow()))
    db.session.commit()
    result = CliRunner().invoke(app.cli, ["send-mail"], obj=None,
                                catch_exceptions=False, standalone_mode=False,
                                env={"FLASK_APP": "wsgi.py"})
    assert result.exception is None
    assert "писем отправлено: 1" in result.output
    assert len(smtp.messages) == 1


# --- digests -------------------------------------------------------------------------------


def at_moscow(y, m, d, hh=12) -> datetime:
    """Naive UTC for a Moscow wall-clock time."""
    from zoneinfo import ZoneInfo

    local = datetime(y, m, d, hh, tzinfo=ZoneInfo("Europe/Moscow"))
    return local.astimezone(UTC).replace(tzinfo=None)


def made_at(user, kind, text_, when, url="/c/x") -> Notification:
    notification = notify(user, kind, text_, url)
    notification.created_at = when
    db.session.commit()
    return notification


def test_daily_digest_carries_yesterday_once(app, smtp):
    user = make_user(email="digest@school.ru", full_name="Сводкина Вера")
    set_preferences(user, {"reply": Delivery.DAILY, "plan": Delivery.DAILY})
    db.session.commit()
    made_at(user, "reply", "Вам ответили в теме «ФГОС»", at_moscow(2026, 11, 21, 9))
    made_at(user, "plan", "План отправлен на утверждение", at_moscow(2026, 11, 21, 23))
    read = made_at(user, "reply", "Уже прочитанное", at_moscow(2026, 11, 21, 10))
    mark_read(read, user)
    made_at(user, "reply", "Сегодняшнее", at_moscow(2026, 11, 22, 1))
    db.session.commit()
    run_at = at_moscow(2026, 11, 22, 7)
    assert digests.send_digests(run_at) == {"daily": 1, "weekly": 0}
    db.session.commit()
    mail.deliver_pending()
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["Subject"] == "Сводка за 21 ноября 2026 г.: 2 уведомления"
    plain, html = parts(message)
    assert "Ответы и упоминания" in plain and "Планы и заседания" in plain
    assert "Вам ответили в теме «ФГОС»" in html and "План отправлен на утверждение" in html
    assert "Уже прочитанное" not in plain and "Сегодняшнее" not in plain
    assert "/notifications/unsubscribe/" in message["List-Unsubscribe"]
    # a second run the same morning sends nothing
    assert digests.send_digests(run_at + timedelta(hours=1)) == {"daily": 0, "weekly": 0}
    db.session.commit()
    mail.deliver_pending()
    assert len(smtp.messages) == 1
    # tomorrow's run carries today's
    assert digests.send_digests(at_moscow(2026, 11, 23, 7))["daily"] == 1


def test_weekly_digest_carries_last_week(app, outbox):
    user = make_user()
    made_at(user, "reply", "Ответ в понедельник", at_moscow(2026, 11, 16, 9))
    made_at(user, "announcement", "Новое мероприятие", at_moscow(2026, 11, 22, 22))
    made_at(user, "reply", "Ответ этой недели", at_moscow(2026, 11, 23, 9))
    # Tuesday 24 November: last week is 16-22 November (ISO week 47)
    assert digests.send_digests(at_moscow(2026, 11, 24, 7)) == {"daily": 0, "weekly": 1}
    db.session.commit()
    digest = db.session.scalar(select(MailDigest))
    assert (digest.period, digest.period_key) == ("weekly", "2026-W47")
    letter = db.session.scalar(select(OutgoingMail))
    assert letter.subject == "Сводка за неделю 16 ноября — 22 ноября 2026 г.: 2 уведомления"
    assert "Ответ в понедельник" in letter.text_body and "Новое мероприятие" in letter.text_body
    assert "Ответ этой недели" not in letter.text_body
    # the same week again: nothing
    assert digests.send_digests(at_moscow(2026, 11, 26, 7))["weekly"] == 0


def test_a_changed_preference_does_not_drop_what_waits(app):
    user = make_user()
    made_at(user, "reply", "Ответ", at_moscow(2026, 11, 17, 9))  # weekly by default
    set_preferences(user, {"reply": Delivery.SITE})
    db.session.commit()
    assert digests.send_digests(at_moscow(2026, 11, 24, 7))["weekly"] == 1


def test_cli_send_digests_twice_sends_nothing_twice(app, outbox):
    user = make_user()
    made_at(user, "reply", "Ответ", utcnow() - timedelta(days=8))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-digests"])
    assert first.exit_code == 0, first.output
    assert "за неделю 1" in first.output
    second = runner.invoke(args=["send-digests"])
    assert "за день 0, за неделю 0" in second.output
    assert len(list(outbox.glob("*.eml"))) == 1


def test_digest_query_count_does_not_grow_with_notifications(app):
    user = make_user()

    def run(n):
        for i in range(n):
            made_at(user, "reply", f"Ответ {i}", at_moscow(2026, 11, 17, 9))
        with count_queries() as counter:
            digests.send_digests(at_moscow(2026, 11, 24, 7))
        db.session.rollback()
        db.session.execute(Notification.__table__.delete())
        db.session.commit()
        return counter.count

    assert run(2) == run(15)


# --- unsubscribe ---------------------------------------------------------------------------


def test_the_link_in_a_letter_unsubscribes_without_login(app, smtp, client):
    user = make_user()
    notify(user, "moderation", "Ваш материал скрыт", "/")
    db.session.commit()
    mail.deliver_pending()
    link = smtp.messages[0]["List-Unsubscribe"].strip("<>")
    path = urlsplit(link).path
    page = client.get(path)
    assert page.status_code == 200
    assert "Модерация моих материалов" in text(page)
    assert preferences_of(user)["moderation"] == "instant"  # GET alone changes nothing
    response = client.post(path)
    assert response.status_code == 200
    assert "Готово" in text(response)
    db.session.expire_all()
    assert preferences_of(user)["moderation"] == "site"
    assert preferences_of(user)["admission"] == "instant"
    notify(user, "moderation", "Ещё одно", "/")
    db.session.commit()
    mail.deliver_pending()
    assert len(smtp.messages) == 1


def test_a_wrong_token_is_refused_in_russian(app, client):
    user = make_user()
    token = make_unsubscribe_token(user.id, ["reply"])
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "nonsense"):
        response = client.get(f"/notifications/unsubscribe/{bad}")
        assert response.status_code == 400
        assert "Ссылка для отписки неверна" in text(response)
        assert client.post(f"/notifications/unsubscribe/{bad}").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0


def test_an_expired_token_is_refused_in_russian(app, client, monkeypatch):
    user = make_user()
    days = app.config["UNSUBSCRIBE_LINK_DAYS"]
    issued = int(time.time()) - (days + 1) * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued)
    token = make_unsubscribe_token(user.id, ["reply"])
    monkeypatch.undo()
    response = client.post(f"/notifications/unsubscribe/{token}")
    assert response.status_code == 400
    assert "Срок действия ссылки для отписки истёк" in text(response)
    assert preferences_of(user)["reply"] == "weekly"


def test_a_token_of_a_deleted_account(app, client):
    user = make_user()
    token = make_unsubscribe_token(user.id, ["reply"])
    user.deleted_at = utcnow()
    db.session.commit()
    response = client.get(f"/notifications/unsubscribe/{token}")
    assert response.status_code == 410
    assert "удалена" in text(response)


def test_a_token_signed_with_another_key_is_refused(app, client):
    from itsdangerous import URLSafeTimedSerializer

    user = make_user()
    forged = URLSafeTimedSerializer("another-key", salt="notifications-unsubscribe").dumps(
        {"u": user.id, "k": ["reply"]})
    assert client.get(f"/notifications/unsubscribe/{forged}").status_code == 400


# --- the administrators' outbox ------------------------------------------------------------


def test_admin_reads_the_outbox_on_the_site(app, outbox):
    admin = factories.make_admin()
    user = make_user(email="reader@school.ru")
    notify(user, "admission", "Вы приняты в «Сообщество директоров»", "/c/x")
    db.session.commit()
    mail.deliver_pending()
    client = app.test_client(user=admin)
    page = text(client.get("/admin/outbox/"))
    assert "SMTP-сервер не настроен" in page
    assert "reader@school.ru" in page and "Вы приняты в «Сообщество директоров»" in page
    name = next(outbox.glob("*.eml")).name
    letter = client.get(f"/admin/outbox/{name}")
    assert letter.status_code == 200
    assert "Вступление и роли" in text(letter)  # the text part
    html = client.get(f"/admin/outbox/{name}/html")
    assert html.status_code == 200
    assert html.headers["Content-Security-Policy"].startswith("sandbox;")
    download = client.get(f"/admin/outbox/{name}/eml")
    assert download.status_code == 200
    assert message_from_bytes(download.data, policy=policy.default)["To"] == "reader@school.ru"
    for bad in ("..%2Fsecret_key", "secret_key", "00000999.eml"):
        assert client.get(f"/admin/outbox/{bad}").status_code == 404


def test_outbox_is_for_administrators_only(app, outbox):
    member = make_user()
    assert app.test_client(user=member).get("/admin/outbox/").status_code == 403


def test_admin_sees_failures_and_sends_again(app, smtp):
    admin = factories.make_admin()
    stop(smtp)
    notify(make_user(email="late@school.ru"), "admission", "Вы приняты", "/")
    db.session.commit()
    mail.deliver_pending()
    client = app.test_client(user=admin)
    page = text(client.get("/admin/outbox/"))
    assert "Ждут отправки: 1." in page
    assert "late@school.ru" in page and "ConnectionRefusedError" in page
    restart(smtp)
    response = client.post("/admin/outbox/queue/retry", follow_redirects=True)
    assert "Отправлено писем: 1." in text(response)
    assert len(smtp.messages) == 1
    assert waiting_letters() == 0


# --- what is announced ---------------------------------------------------------------------


def test_a_published_event_is_announced_to_members_for_their_digest(app, people, community):
    from tests.events.conftest import make_event

    event = make_event(community, people["coordinator"], title="Семинар о наставничестве")
    notes = list(db.session.scalars(select(Notification).where(
        Notification.kind == "announcement")))
    told = {n.user_id for n in notes}
    assert people["member"].id in told and people["chair"].id in told
    assert people["coordinator"].id not in told  # who published it
    assert people["outsider"].id not in told
    assert all(n.delivery == Delivery.WEEKLY for n in notes)
    assert "Семинар о наставничестве" in notes[0].text
    assert notes[0].url.endswith(f"/events/{event.id}")


def test_cli_send_reminders_twice_reminds_once(app, people, community, outbox):
    from tests.events.conftest import make_event, sign_up

    event = make_event(community, people["coordinator"], title="Семинар завтра")
    sign_up(event, community, people["member"])
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "мероприятия завтра 1" in first.output
    letters = [message_from_bytes(p.read_bytes(), policy=policy.default)
               for p in outbox.glob("*.eml")]
    reminders = [m for m in letters if "Завтра" in m["Subject"]]
    assert [m["To"] for m in reminders] == [people["member"].email]
    second = runner.invoke(args=["send-reminders"])
    assert "мероприятия завтра 0" in second.output
    assert len(list(outbox.glob("*.eml"))) == len(letters)


def test_deleting_an_account_erases_its_letters_and_their_outbox_copies(app, outbox):
    from app.privacy.services import delete_account

    user = make_user(email="erase@school.ru")
    other = make_user(email="keep@school.ru")
    notify(user, "admission", "Вы приняты", "/")
    notify(other, "admission", "Вы приняты", "/")
    db.session.commit()
    mail.deliver_pending()
    notify(user, "moderation", "Ваш материал опубликован", "/")  # still queued
    db.session.commit()
    assert len(list(outbox.glob("*.eml"))) == 2
    with app.test_request_context("/"):
        delete_account(user)
        db.session.commit()
    assert db.session.scalar(select(func.count(OutgoingMail.id)).where(
        OutgoingMail.user_id == user.id)) == 0
    remaining = [message_from_bytes(p.read_bytes(), policy=policy.default)["To"]
                 for p in outbox.glob("*.eml")]
    assert remaining == ["keep@school.ru"]


def test_smtp_login_with_the_configured_user(app, outbox):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.password == b"s3cret")

    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port,
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    saved = dict(app.config)
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                          MAIL_USERNAME="robot@school.ru", MAIL_PASSWORD="s3cret",
                          MAIL_TIMEOUT=5)
        notify(make_user(), "admission", "Вы приняты", "/")
        db.session.commit()
        assert mail.deliver_pending().sent == 1
        assert seen == [("robot@school.ru", "s3cret")]
        assert len(collector.messages) == 1
    finally:
        controller.stop()
        app.config.update(saved)
