"""The working groups' main pages for the axe and Nu checks."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.forum import services as forum
from app.forum.models import Section
from app.governance.groups import services


def pages(community, people) -> list[tuple[str, str]]:
    """(role, path): an active group (the member leads it, the council member is in it) with a
    topic in its section, and an archived one; the list, a group, the forms, the members'
    page and the group's forum section."""
    with current_app.test_request_context("/"):
        group = services.create_group(community, people["coordinator"], services.GroupFields(
            name="Рабочая группа по функциональной грамотности",
            goal="Собрать **банк заданий** по читательской грамотности.",
            end_date=services.local_today(community) + timedelta(days=60),
            member_ids=(people["member"].id, people["council"].id),
            leader_ids=(people["member"].id,)))
        section = db.session.scalar(select(Section).where(Section.group_id == group.id))
        topic = forum.create_topic(section, people["member"], title="Кто какие классы берёт?",
                                   body="Распределим работу по классам.")
        forum.reply(topic, people["council"], "Беру пятые классы.")
        archived = services.create_group(community, people["chair"], services.GroupFields(
            name="Группа по подготовке совещания", goal="Программа секции.",
            end_date=services.local_today(community), member_ids=(people["chair"].id,)))
        archived.end_date = services.local_today(community) - timedelta(days=30)
        db.session.commit()
    base = f"/c/{community.slug}/groups"
    forum_url = f"/c/{community.slug}/forum"
    return [
        ("member", f"{base}/"),
        ("member", f"{base}/{group.id}"),
        ("chair", f"{base}/{group.id}"),  # with the managers' actions
        ("chair", f"{base}/{archived.id}"),  # in the archive
        ("coordinator", f"{base}/new"),
        ("coordinator", f"{base}/{group.id}/edit"),
        ("member", f"{base}/{group.id}/members"),  # the leader
        ("chair", f"{base}/{group.id}/members"),  # with «руководитель»
        ("member", f"{forum_url}/sections/{section.id}"),
        ("member", f"{forum_url}/topics/{topic.id}"),
    ]
