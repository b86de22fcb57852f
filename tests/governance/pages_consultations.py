"""The consultations' main pages for the axe and Nu checks."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.governance.consultations import services


def pages(community, people) -> list[tuple[str, str]]:
    """A new question and one assigned to the expert with an exchange: the member's list,
    the coordinator's queue, the question page for its asker (with the exchange and the reply
    form) and for the coordinator (with the assignment form), and the form to ask."""
    with current_app.test_request_context("/"):
        services.ask(community, people["council"], "Сетевое взаимодействие",
                     "Как оформить **договор** о сетевой форме?", "phone")
        asked = services.ask(community, people["member"], "Маршрут педагога",
                             "Что включить в *ИОМ*?", "online")
        services.assign(asked, community, people["coordinator"], people["expert"])
        services.post_message(asked, community, people["expert"],
                              "Начните с диагностики дефицитов:\n\n1. цели;\n2. сроки.")
        db.session.commit()
    base = f"/c/{community.slug}/consultations"
    return [
        ("member", f"{base}/"),
        ("member", f"{base}/new"),
        ("member", f"{base}/{asked.id}"),
        ("coordinator", f"{base}/"),
        ("coordinator", f"{base}/{asked.id}"),
    ]
