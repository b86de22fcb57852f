"""Demo data of working groups (002 §4.3): an active group with a discussion in its own forum
section, and one whose term is over (in the archive, its section read-only). Idempotent:
skipped once the community has groups. Runs inside a request context (the services build
URLs for notifications)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.communities.models import Community
from app.extensions import db
from app.mixins import utcnow


def seed(community: Community, people: dict[str, User]) -> None:
    from app.forum import services as forum
    from app.governance.groups import services
    from app.governance.groups.models import WorkingGroup

    if db.session.scalar(select(WorkingGroup.id).where(WorkingGroup.community_id == community.id)):
        return
    today = services.local_today(community)
    coordinator, chair = people["coordinator"], people["chair"]
    leader, member, member2 = people["council1"], people["member"], people["member2"]

    active = services.create_group(community, coordinator, services.GroupFields(
        name="Рабочая группа по функциональной грамотности",
        goal="Собрать **банк заданий** по читательской и математической грамотности для "
             "5–9 классов и провести два открытых урока для коллег.\n\n"
             "Результат: подборка заданий в методическом банке и методические рекомендации.",
        end_date=today + timedelta(days=120),
        member_ids=(leader.id, member.id, member2.id, people["expert"].id),
        leader_ids=(leader.id,)))
    section = services.section_of(active)
    topic = forum.create_topic(
        section, leader, title="Банк заданий: кто какие классы берёт?",
        body="Коллеги, давайте распределим работу. Предлагаю так:\n\n"
             "- 5–6 классы — читательская грамотность;\n"
             "- 7–9 классы — математическая грамотность.\n\n"
             "Черновики заданий выкладываем сюда до конца месяца.",
    )
    forum.reply(topic, member, "Беру 5–6 классы: у меня есть задания по смысловому чтению "
                               "из прошлогоднего проекта.")
    forum.reply(topic, member2, "> 7–9 классы — математическая грамотность\n\n"
                                "Возьму 7 класс, задания на проценты и диаграммы.")
    forum.reply(topic, people["expert"], "Готова посмотреть задания до публикации в банке "
                                         "и дать замечания по критериям оценивания.")

    finished = services.create_group(community, chair, services.GroupFields(
        name="Рабочая группа по подготовке августовского совещания",
        goal="Подготовить программу секции руководителей на августовском педагогическом "
             "совещании.",
        end_date=today, member_ids=(chair.id, leader.id, people["council2"].id),
        leader_ids=(chair.id,)))
    old = forum.create_topic(
        services.section_of(finished), chair, title="Программа секции",
        body="Проект программы: три выступления по 15 минут и круглый стол.",
    )
    forum.reply(old, people["council2"], "Согласна, предлагаю тему круглого стола: "
                                         "«Наставничество в школе».")
    # Its term ended in August: back-date it into the archive.
    finished.created_at = utcnow() - timedelta(days=150)
    finished.end_date = today - timedelta(days=90)
    db.session.flush()
