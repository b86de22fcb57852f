"""Demo data of consultations and mentoring: questions in every status, with a private
exchange, and two mentoring pairs. Idempotent: each part is skipped once its rows exist.
Runs inside a request context (the services build URLs for notifications)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db


def seed(community: Community, people: dict[str, User]) -> None:
    _consultations(community, people)
    _mentoring(community, people)


def _consultations(community: Community, people: dict[str, User]) -> None:
    from app.governance.consultations import services
    from app.governance.consultations.models import Consultation

    if db.session.scalar(select(Consultation.id).where(Consultation.community_id == community.id)):
        return
    coordinator, expert = people["coordinator"], people["expert"]

    # Closed: asked, answered, thanked, closed by the asker.
    closed = services.ask(
        community, people["member"], "Индивидуальный образовательный маршрут педагога",
        "Как составить **ИОМ** для молодого учителя математики? Что включить, кроме курсов "
        "повышения квалификации?", "written")
    services.assign(closed, community, coordinator, expert)
    services.post_message(closed, community, expert,
                          "Начните с диагностики профессиональных дефицитов, затем:\n\n"
                          "1. цели на полугодие;\n2. посещение уроков наставника;\n"
                          "3. участие в методическом объединении;\n4. открытый урок.")
    services.post_message(closed, community, people["member"],
                          "Спасибо! Шаблон из методического банка подходит?")
    services.post_message(closed, community, expert,
                          "Да, подойдёт. Добавьте в него сроки и ответственных.")
    services.close(closed, community, people["member"])

    # Answered: the consultant has replied, the exchange goes on.
    answered = services.ask(
        community, people["member2"], "Подготовка к аттестации на первую категорию",
        "Какие материалы собрать в портфолио и в каком порядке?", "online")
    services.assign(answered, community, coordinator, people["council1"])
    services.post_message(answered, community, people["council1"],
                          "Давайте созвонимся в четверг в 16:00. Пока соберите сертификаты "
                          "за последние три года.")

    # Assigned: a consultant is chosen, no answer yet.
    assigned = services.ask(
        community, people["member"], "Работа с родителями обучающихся",
        "Как вовлечь родителей в жизнь школы, если на собрания приходят единицы?", "in_person")
    services.assign(assigned, community, coordinator, expert)

    # New: waits in the coordinator's queue.
    services.ask(community, people["council2"], "Сетевое взаимодействие школ",
                 "Как оформить договор о сетевой форме реализации программы?", "phone")
    db.session.flush()


def _mentoring(community: Community, people: dict[str, User]) -> None:
    from app.governance.mentoring import services
    from app.governance.mentoring.models import MentoringPair

    if db.session.scalar(select(MentoringPair.id)
                         .where(MentoringPair.community_id == community.id)):
        return
    today = services.today_in(community)
    services.create_pair(
        community, people["coordinator"], mentor=people["council1"], mentee=people["member"],
        goal="Адаптация в должности заместителя директора: планирование и контроль.",
        starts_on=today - timedelta(days=45), ends_on=today + timedelta(days=240))
    services.create_pair(
        community, people["chair"], mentor=people["expert"], mentee=people["member2"],
        goal="Подготовка к аттестации на первую квалификационную категорию.",
        starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=150))
    db.session.flush()
