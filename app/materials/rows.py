"""The bank's list of materials as its pages show them, built for speed (issue 10).

The search of the bank and its lists render twenty materials a page. Loading them as ORM
objects (every column, the description's HTML, the author's whole row) and rendering each
through the template cost more than the search itself, so here, as for a topic's posts
(app/forum/post_list.py):

- materials are plain rows (`MaterialRow`): one query for the materials with their authors'
  names, one more for the topics of those shown;
- each row's HTML is cached per process, keyed by everything it shows: the row itself
  (title, kind, level, author's name, date, downloads, best practice, status, removal,
  topics), the community's address and name, the time zone and the mount point. A change
  to any of them is a new key, so a cached fragment is never stale;
- the filter form above the list (search box, kind, level, author, sort) is cached the same
  way, keyed by each field's value, choices and errors and the list's address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from flask import render_template, request, url_for
from flask_babel import get_timezone
from markupsafe import Markup
from sqlalchemy import Select, select

from app.auth.models import User
from app.extensions import db
from app.materials.models import Material, MaterialStatus, MaterialTopic


@dataclass(frozen=True, slots=True)
class MaterialRow:
    dom_name = "material"  # its element is `material-42`, as a Material's (app.ui.dom_id)

    id: int
    community_id: int
    title: str
    type: str
    level: str
    author_name: str | None  # None: the author's account is gone
    created_at: datetime
    download_count: int
    is_best_practice: bool
    is_published: bool
    is_hidden: bool
    topics: tuple[str, ...] = ()  # the labels, as written


COLUMNS = (Material.id, Material.community_id, Material.title, Material.type, Material.level,
           User.full_name, Material.created_at, Material.download_count,
           Material.is_best_practice, Material.status == MaterialStatus.PUBLISHED,
           Material.hidden_at.is_not(None))


def select_rows(*criteria) -> Select:
    """The rows' columns, with the author's name, of the materials that meet `criteria`
    (order and paginate it; then `rows_of`)."""
    return select(*COLUMNS).outerjoin(User, User.id == Material.author_id).where(*criteria)


def rows_of(found: Iterable[Sequence]) -> list[MaterialRow]:
    """`select_rows` results as rows, with their topics (one query)."""
    rows = [MaterialRow(*r[:len(COLUMNS)]) for r in found]
    if not rows:
        return rows
    topics: dict[int, list[str]] = {}
    for material_id, label in db.session.execute(
        select(MaterialTopic.material_id, MaterialTopic.label)
        .where(MaterialTopic.material_id.in_([r.id for r in rows]))
        .order_by(MaterialTopic.material_id, MaterialTopic.tag)
    ):
        topics.setdefault(material_id, []).append(label)
    return [replace(r, topics=tuple(topics[r.id])) if r.id in topics else r for r in rows]


def render_rows(rows: Sequence[MaterialRow], communities: Mapping[int, object] | None,
                slug: str | None = None) -> Markup:
    """The rows' HTML, each from the cache when it has been made before. `communities`
    (id → community) names each row's community (the bank of all the reader's ones);
    without it, every row is of the community `slug`."""
    zone = str(get_timezone())
    root = request.script_root
    parts = []
    for row in rows:
        if communities is not None:
            community = communities[row.community_id]
            place = (community.slug, community.name)
        else:
            place = (slug, None)
        parts.append(_row_html(row, place, zone, root))
    return Markup("".join(parts))


@lru_cache(maxsize=8192)
def _row_html(row: MaterialRow, place: tuple[str, str | None], zone: str, root: str) -> str:
    """`zone` and `root` are in the key: the template formats the date in the request's
    zone and builds the address under the mount point."""
    slug, community_name = place
    return render_template("materials/_row.html", m=row, slug=slug,
                           community_name=community_name)


def filters_html(form, endpoint: str) -> Markup:
    """The list's filter form (templates/materials/_filters.html), from the cache when the
    same form has been shown at the same address before."""
    key = (url_for(endpoint), tuple(
        (f.name, f.data, tuple(f.errors),
         tuple((c.value, str(c.label)) for c in f.choices) if getattr(f, "choices", None) else None)
        for f in form))
    html = _filter_forms.get(key)
    if html is None:
        if len(_filter_forms) >= _FILTER_FORMS_MAX:
            _filter_forms.clear()
        html = _filter_forms[key] = render_template("materials/_filters.html", form=form,
                                                    endpoint=endpoint)
    return Markup(html)


# Keyed by what the form shows (a form object hashes by identity, a new one each request).
_filter_forms: dict[tuple, str] = {}
_FILTER_FORMS_MAX = 2048
