from flask import url_for

from app import content
from app.chat.models import ChatMessage
from app.communities.models import Community
from app.extensions import db
from app.sanitize import markdown_to_text
from app.ui import dom_id

from .routes import bp  # noqa: F401


def _message_url(message: ChatMessage) -> str:
    community = db.session.get(Community, message.community_id)
    return url_for("chat.index", community_slug=community.slug, _anchor=dom_id(message))


content.register(
    content.ContentType(
        kind="chat_message",
        model=ChatMessage,
        label="сообщение в чате",
        url=_message_url,
        excerpt=lambda message: markdown_to_text(message.body, 300),
    )
)
