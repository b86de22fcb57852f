"""`flask seed-scale` (app/scale.py): small runs through the CLI on the test database (SQLite,
or PostgreSQL with TEST_DATABASE_URL). Bulk rows must be what the services would write: the
same counters, the same HTML, and search documents that searches find exactly as they find
service-made ones."""

from __future__ import annotations

import html
import re

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy import text as sql_text

from app import search
from app.auth.models import User
from app.communities.models import Community, Membership
from app.extensions import db
from app.forum.models import Post, Section, Topic, TopicWatch
from app.materials import services as materials
from app.materials.models import Material, MaterialAuthor, MaterialTopic
from app.sanitize import markdown_to_text, render_markdown
from app.scale import SCALE_COMMUNITY_NAME, SCALE_COMMUNITY_SLUG
from app.search import SearchDocument
from tests.helpers import count_queries

SMALL = ["--users", "30", "--materials", "200", "--posts", "120"]
QUERIES = ["урок", "уроки", "методическое", "функциональная грамотность", "ФГОС", "класс",
           "наставничество", "опыт", "коллеги", "презента"]


def seed_scale(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed-scale", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def scale_community() -> Community:
    return db.session.scalar(select(Community).where(Community.slug == SCALE_COMMUNITY_SLUG))


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def documents() -> dict[tuple[str, int], tuple]:
    rows = db.session.execute(select(SearchDocument.kind, SearchDocument.object_id,
                                     SearchDocument.community_id, SearchDocument.title,
                                     SearchDocument.body, SearchDocument.id))
    docs = {(r.kind, r.object_id): (r.community_id, r.title, r.body, r.id) for r in rows}
    if is_sqlite():
        fts = {r.rowid: (r.title, r.body) for r in db.session.execute(
            sql_text(f"SELECT rowid, title, body FROM {search.FTS_TABLE}"))}
        docs = {key: (*value[:3], fts[value[3]]) for key, value in docs.items()}
    else:
        docs = {key: value[:3] for key, value in docs.items()}
    return docs


def results() -> dict[str, list[tuple[str, int, float]]]:
    return {q: [(h.kind, h.object_id, round(h.rank, 9)) for h in search.search(q, limit=1000)]
            for q in QUERIES}


def test_counts_and_counters(app):
    output = seed_scale(app, *SMALL, "--random-seed", "1")
    assert "Готово за" in output
    community = scale_community()
    assert community.name == SCALE_COMMUNITY_NAME

    assert count(User) == 30
    assert count(Membership, Membership.community_id == community.id,
                 Membership.left_at.is_(None)) == 30
    assert community.member_count == 30
    members = set(db.session.scalars(select(Membership.user_id)))

    assert count(Material, Material.community_id == community.id) == 200
    for material in db.session.scalars(select(Material)):
        assert material.author_id in members
        assert material.title == " ".join(material.title.split()) and len(material.title) <= 300
        assert material.description_html == render_markdown(material.description)
        assert material.topics_text == "; ".join(t.label for t in sorted(
            material.topics, key=lambda t: material.topics_text.index(t.label)))
        assert all(t.tag == t.label.casefold() for t in material.topics)
        assert material.link_url.startswith("https://")
    assert count(MaterialTopic) >= 200

    assert count(Post) == 120
    topics = db.session.scalars(select(Topic)).all()
    assert sum(t.post_count for t in topics) == 120
    for topic in topics:
        posts = db.session.scalars(Post.in_topic(topic)).all()
        assert [p.number for p in posts] == list(range(1, topic.post_count + 1))
        assert topic.author_id == posts[0].author_id
        assert topic.last_post_id == posts[-1].id
        assert topic.last_author_id == posts[-1].author_id
        assert topic.last_post_at == posts[-1].created_at
        assert all(p.body_html == render_markdown(p.body) for p in posts)
        watchers = set(db.session.scalars(
            select(TopicWatch.user_id).where(TopicWatch.topic_id == topic.id)))
        assert watchers == {p.author_id for p in posts}
    for section in db.session.scalars(select(Section)):
        mine = [t for t in topics if t.section_id == section.id]
        assert section.topic_count == len(mine)
        assert section.post_count == sum(t.post_count for t in mine)
        latest = max(mine, key=lambda t: t.last_post_at)
        assert section.last_post_at == latest.last_post_at
        assert section.last_topic_id == latest.id

    assert count(SearchDocument, SearchDocument.kind == "material") == 200
    assert count(SearchDocument, SearchDocument.kind == "post") == 120
    assert count(SearchDocument, SearchDocument.kind == "topic") == len(topics)
    if is_sqlite():
        fts = db.session.scalar(sql_text(f"SELECT count(*) FROM {search.FTS_TABLE}"))
        assert fts == count(SearchDocument)


def test_search_finds_bulk_rows_as_it_finds_service_made_ones(app):
    seed_scale(app, *SMALL, "--random-seed", "2")
    before_docs, before_hits = documents(), results()
    assert before_hits["урок"] and before_hits["ФГОС"]

    # Index everything again the services' way: materials through reindex, forum documents
    # as app.forum.services writes them.
    for material in db.session.scalars(select(Material)).all():
        materials.reindex(material)
    for post in db.session.scalars(select(Post)).all():
        search.index_document("post", post.id, post.community_id, post.topic.title,
                              markdown_to_text(post.body))
        if post.number == 1:
            search.index_document("topic", post.topic_id, post.community_id, post.topic.title,
                                  markdown_to_text(post.body))
    db.session.commit()

    assert documents() == before_docs
    assert results() == before_hits


def test_a_service_made_twin_ranks_the_same(app):
    seed_scale(app, *SMALL, "--random-seed", "3")
    bulk = db.session.scalars(
        select(Material).where(Material.id.in_(select(MaterialAuthor.material_id)))
        .order_by(Material.id).limit(1)
    ).first() or db.session.scalars(select(Material).order_by(Material.id)).first()
    community = db.session.get(Community, bulk.community_id)
    with current_app.test_request_context("/"):
        twin = materials.create_material(
            community, bulk.author, title=bulk.title, description=bulk.description,
            type=bulk.type, level=bulk.level, link_url=bulk.link_url,
            topics=bulk.topics_text, coauthor_ids=[c.user_id for c in bulk.coauthors],
        )
        db.session.commit()
    assert twin.topics_text == bulk.topics_text
    assert twin.description_html == bulk.description_html

    def doc(material_id: int) -> SearchDocument:
        return db.session.scalar(select(SearchDocument).where(
            SearchDocument.kind == "material", SearchDocument.object_id == material_id))

    assert (doc(twin.id).title, doc(twin.id).body) == (doc(bulk.id).title, doc(bulk.id).body)
    hits = {h.object_id: h.rank for h in search.search(bulk.title, kinds=["material"],
                                                        limit=1000)}
    assert {bulk.id, twin.id} <= set(hits)
    assert hits[twin.id] == pytest.approx(hits[bulk.id])


def _rows(response) -> list[str]:
    body = response.get_data(as_text=True)
    return [html.unescape(t) for t in re.findall(
        r'<li id="[^"]+" class="material-row">\s*<article>\s*<h3><a href="[^"]+">([^<]+)</a>',
        body)]


def test_materials_list_renders_in_a_fixed_number_of_queries(app):
    seed_scale(app, *SMALL, "--random-seed", "4")
    community = scale_community()
    member = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                               .where(Membership.community_id == community.id).limit(1))
    client = app.test_client(user=member)
    base = f"/c/{community.slug}/materials/"

    newest = db.session.scalars(
        select(Material).where(Material.status == "published")
        .order_by(Material.created_at.desc(), Material.id.desc())
    ).first()
    with count_queries() as full:
        response = client.get(base)
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 20 and rows[0] == newest.title

    few_type = db.session.scalar(
        select(Material.type).group_by(Material.type).order_by(func.count()).limit(1))
    with count_queries() as few:
        response = client.get(f"{base}?type={few_type}")
    assert response.status_code == 200
    assert 0 < len(_rows(response)) < 20
    assert few.count == full.count  # as many queries for a few rows as for a full page

    with count_queries() as found:
        response = client.get(f"{base}?q=урок")
    assert response.status_code == 200
    assert _rows(response)
    with count_queries() as found_few:
        response = client.get(f"{base}?q=урок&type={few_type}")
    assert response.status_code == 200
    assert found_few.count == found.count


def test_twice_adds_more_and_keeps_addresses_unique(app):
    seed_scale(app, *SMALL, "--random-seed", "5")
    seed_scale(app, *SMALL, "--random-seed", "5")  # the same names again
    community = scale_community()
    assert count(Community, Community.slug == SCALE_COMMUNITY_SLUG) == 1
    assert count(User) == 60
    assert db.session.scalar(select(func.count(func.distinct(User.email)))) == 60
    assert community.member_count == 60
    assert count(Material) == 400
    assert count(Post) == 240
    assert count(SearchDocument, SearchDocument.kind == "material") == 400
    assert db.session.scalar(select(func.sum(Section.post_count))) == 240


def test_fills_the_demo_communities_next_to_demo_data(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    demo_users, demo_posts = count(User), count(Post)
    seed_scale(app, "--users", "20", "--materials", "60", "--posts", "40")
    assert scale_community() is None
    assert count(User) == demo_users + 20
    assert count(Post) == demo_posts + 40
    in_demo = set(db.session.scalars(select(Material.community_id)))
    assert len(in_demo) > 1  # spread over the demo communities
    # Demo members write too, and the list page still renders for one of them.
    member = db.session.scalar(User.by_email("member.krasnodar@demo.ru"))
    krasnodar = db.session.scalar(select(Community).where(
        Community.slug == "krasnodar-leaders"))
    response = app.test_client(user=member).get(f"/c/{krasnodar.slug}/materials/?q=урок")
    assert response.status_code == 200
    for section in db.session.scalars(select(Section)):
        topics = db.session.scalars(select(Topic).where(Topic.section_id == section.id)).all()
        assert section.topic_count == len(topics)
        assert section.post_count == sum(t.post_count for t in topics)
