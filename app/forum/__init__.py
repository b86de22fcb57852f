from flask import url_for

from app import content
from app.forum.models import Post
from app.sanitize import markdown_to_text

from .routes import bp  # noqa: F401


def _post_url(post: Post) -> str:
    return url_for("forum.post", post_id=post.id, community_slug=post.topic.section.community.slug)


content.register(
    content.ContentType(
        kind="post",
        model=Post,
        label="сообщение на форуме",
        url=_post_url,
        excerpt=lambda post: markdown_to_text(post.body, 300),
    )
)
