from flask import url_for

from app import content
from app.communities.models import Community
from app.extensions import db
from app.materials.models import Material
from app.sanitize import markdown_to_text

from . import reviews  # noqa: F401,E402  (its routes join the materials blueprint)
from .routes import bank_bp, bp  # noqa: F401


def _material_url(material: Material) -> str:
    community = db.session.get(Community, material.community_id)
    return url_for("materials.material", material_id=material.id, community_slug=community.slug)


def _material_changed(material: Material) -> None:
    """A removed material leaves the search; a restored one comes back."""
    from app.materials.services import reindex

    reindex(material)


content.register(
    content.ContentType(
        kind="material",
        model=Material,
        label="материал методического банка",
        gender="m",
        url=_material_url,
        excerpt=lambda m: f"«{m.title}» " + markdown_to_text(m.description, 250),
        on_change=_material_changed,
    )
)
