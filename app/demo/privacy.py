"""Demo data of personal data requests: a member's finished export, an export that failed,
and a former member who wrote on the forum and in the chat and then deleted their account
through the real service, so the demo shows «Удалённый участник» and the administrators'
log has a deletion. Seeds once (the first community it is called for); runs inside a request
context (the services build URLs for notifications)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import User
from app.communities import services as communities
from app.communities.models import Community, ConsentKind, Membership, Role
from app.extensions import db
from app.mixins import utcnow
from app.privacy.models import DataRequest

FORMER_EMAIL = "former.member@demo.ru"


def seed(people: dict[str, User]) -> None:
    if db.session.scalar(select(DataRequest.id).limit(1)) is not None:
        return
    community = db.session.scalar(
        select(Community).join(Membership, Membership.community_id == Community.id).where(
            Membership.user_id == people["coordinator"].id, Membership.left_at.is_(None),
            Membership.role == Role.COORDINATOR).order_by(Community.id).limit(1))
    if community is None:
        return
    now = utcnow()
    db.session.add_all([
        DataRequest(user_id=people["member"].id, kind="export", status="done",
                    created_at=now - timedelta(days=3, minutes=1),
                    finished_at=now - timedelta(days=3), detail="файлов: 2, записей: 57"),
        DataRequest(user_id=people["member2"].id, kind="export", status="failed",
                    created_at=now - timedelta(days=2, minutes=20),
                    finished_at=now - timedelta(days=2),
                    detail="Выгрузка не завершилась за 15 минут и прервана."),
    ])
    _former_member(community, people)
    db.session.flush()


def _former_member(community: Community, people: dict[str, User]) -> None:
    """Фёдорова Лариса joins, answers on the forum, greets the chat, and deletes her account."""
    from app.chat import services as chat
    from app.forum import services as forum
    from app.forum.models import Section, Topic
    from app.privacy.services import delete_account

    if db.session.scalar(User.by_email(FORMER_EMAIL)) is not None:
        return
    former = auth_services.register(
        email=FORMER_EMAIL, password="demo12345", full_name="Фёдорова Лариса Павловна",
        position="Учитель начальных классов", organisation="МБОУ «СОШ № 5»",
        municipality=community.municipality or "Краснодар")
    charter = communities.current_document(ConsentKind.CHARTER, community)
    pd = communities.current_document(ConsentKind.PERSONAL_DATA)
    join_request = communities.request_to_join(
        community, former, message="Хочу обмениваться опытом.",
        charter_version=charter.version, pd_version=pd.version, charter_consent=True,
        pd_consent=True)
    if join_request.is_pending:
        communities.admit(join_request, people["coordinator"])
    topic = db.session.scalar(
        select(Topic).join(Section, Section.id == Topic.section_id).where(
            Topic.community_id == community.id, Section.is_announcements.is_(False),
            Section.group_id.is_(None)).order_by(Topic.id).limit(1))
    if topic is not None:
        forum.reply(topic, former, "У нас наставник и молодой учитель вместе готовят один "
                    "открытый урок в четверть — это лучше любого отчёта.")
    chat.send(community, former, "Коллеги, спасибо за материалы к вебинару!")
    delete_account(former)
