"""Community-scoped URLs (`/c/<community_slug>/…`): the slug is loaded once into
`g.community` (or 404) and put back by `url_for`, so views never handle it."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import select

from app.communities.models import Community
from app.extensions import db


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def load_community(endpoint, values) -> None:
        if values and "community_slug" in values:
            slug = values.pop("community_slug")
            g.community = db.first_or_404(select(Community).where(Community.slug == slug))

    @app.url_defaults
    def add_community_slug(endpoint, values) -> None:
        if "community_slug" in values or "community" not in g:
            return
        if current_app.url_map.is_endpoint_expecting(endpoint, "community_slug"):
            values["community_slug"] = g.community.slug
