from flask import url_for

from app import content
from app.forum.models import Post
from app.forum.permissions import can_see_section
from app.sanitize import markdown_to_text

from .routes import bp  # noqa: F401


def _post_url(post: Post) -> str:
    return url_for("forum.post", post_id=post.id, community_slug=post.topic.section.community.slug)


def _post_changed(post: Post) -> None:
    """The opening post decides whether its topic shows in the lists."""
    if post.number == 1:
        post.topic.held_at = post.held_at
        post.topic.hidden_at = post.hidden_at


content.register(
    content.ContentType(
        kind="post",
        model=Post,
        label="сообщение на форуме",
        url=_post_url,
        excerpt=lambda post: (
            (f"«{post.topic.title}»: " if post.number == 1 else "")
            + markdown_to_text(post.body, 300)
        ),
        on_change=_post_changed,
        visible_to=lambda user, post: can_see_section(user, post.topic.section),
    )
)
