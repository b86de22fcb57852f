"""The bank's list as rows with cached fragments (app/materials/rows.py): a cached row or
filter form must never show what has changed, nor one reader's view to another."""

from __future__ import annotations

import re
from html import unescape

from flask import current_app

from app.extensions import db
from app.materials import rows as material_rows
from app.materials import services
from app.materials.models import Material
from app.moderation import services as moderation
from app.ui import dom_id
from tests.factories import make_community, make_membership, make_user
from tests.files import PDF
from tests.helpers import count_queries


def url(community, path=""):
    return f"/c/{community.slug}/materials{path}"


def row_of(body: str, material: Material) -> str:
    """The HTML of one material's row in a list page."""
    match = re.search(rf'<li id="material-{material.id}" class="material-row">(.*?)</li>',
                      body, re.S)
    assert match, f"material {material.id} is not in the list"
    return match.group(1)


def text(html: str) -> str:
    """What a reader sees of some HTML: the text without tags, entities resolved."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def edit(material: Material, actor, **changes) -> None:
    fields = dict(title=material.title, description=material.description or "",
                  type=material.type, level=material.level, link_url=material.link_url or "",
                  topics=material.topics_text or "")
    fields.update(changes)
    with current_app.test_request_context("/"):
        services.update_material(material, actor, **fields)
        db.session.commit()


def test_a_row_is_its_material_dom_id_and_link(client_as, community, make_material):
    material = make_material(title="Разработка урока по физике")
    body = page(client_as("council"), url(community, "/"))

    row = row_of(body, material)
    assert f'href="/c/{community.slug}/materials/{material.id}"' in row
    assert dom_id(material) == f"material-{material.id}"
    assert dom_id(material_rows.MaterialRow(
        id=material.id, community_id=community.id, title="", type="", level="",
        author_name=None, created_at=material.created_at, download_count=0,
        is_best_practice=False, is_published=True, is_hidden=False)) == dom_id(material)


def test_an_edit_shows_at_once_in_the_list_and_the_search(client_as, people, community,
                                                          make_material):
    material = make_material(title="Разработка урока по физике", topics="физика")
    reader = client_as("council")
    for address in (url(community, "/"), url(community, "/?q=физике")):
        assert "Разработка урока по физике" in row_of(page(reader, address), material)

    edit(material, people["member"], title="Разработка урока по химии", type="presentation",
         topics="химия, опыты")

    for address in (url(community, "/"), url(community, "/?q=химии")):
        row = text(row_of(page(reader, address), material))
        assert "Разработка урока по химии" in row and "физике" not in row
        assert "Презентация" in row
        assert "химия" in row and "опыты" in row and "физика" not in row


def test_downloads_best_practice_and_a_renamed_author_show_at_once(client_as, people, community,
                                                                   make_material):
    material = make_material(title="Проект «Читаем вместе»")
    reader = client_as("council")
    row = text(row_of(page(reader, url(community, "/")), material))
    assert "0 скачиваний" in row and "Лучшая практика" not in row

    with current_app.test_request_context("/"):
        services.count_download(material)
        services.set_best_practice(material, people["coordinator"], True)
        db.session.commit()
    people["member"].full_name = "Новикова Мария Петровна"
    db.session.commit()

    row = text(row_of(page(reader, url(community, "/")), material))
    assert "1 скачивание" in row and "Лучшая практика" in row
    assert "Новикова Мария Петровна" in row


def test_a_removed_material_leaves_the_list_and_comes_back(client_as, people, community,
                                                           make_material):
    material = make_material(title="Спорная разработка")
    member, coordinator = client_as("council"), client_as("coordinator")
    assert "Удалён" not in row_of(page(coordinator, url(community, "/")), material)

    with current_app.test_request_context("/"):
        moderation.remove(material, people["coordinator"], "spam", "Реклама")
        db.session.commit()
    assert f'id="material-{material.id}"' not in page(member, url(community, "/"))
    assert "Удалён" in text(row_of(page(coordinator, url(community, "/")), material))

    with current_app.test_request_context("/"):
        moderation.restore(db.session.get(Material, material.id), people["coordinator"])
        db.session.commit()
    assert "Удалён" not in row_of(page(coordinator, url(community, "/")), material)
    assert "Спорная разработка" in row_of(page(member, url(community, "/")), material)


def test_a_pending_material_is_marked_for_its_author_only(client_as, people, community,
                                                          make_material):
    community.materials_need_approval = True
    db.session.commit()
    material = make_material(title="Черновик программы кружка")
    own = text(row_of(page(client_as("member"), url(community, "/")), material))
    assert "На утверждении" in own
    assert f'id="material-{material.id}"' not in page(client_as("council"), url(community, "/"))


def test_the_bank_of_all_communities_names_each_rows_community(client_as, people, community,
                                                               make_material):
    other = make_community(name="Сообщество учителей химии")
    make_membership(people["council"], other)
    here = make_material(title="Материал здесь")
    there = make_material(people["council"], title="Материал там", community_=other)
    reader = client_as("council")
    body = page(reader, "/bank/")
    assert community.name in text(row_of(body, here))
    assert "Сообщество учителей химии" in text(row_of(body, there))
    assert f'href="/c/{other.slug}/materials/{there.id}"' in row_of(body, there)

    other.name = "Сообщество учителей естествознания"
    db.session.commit()
    assert "Сообщество учителей естествознания" in text(row_of(page(reader, "/bank/"), there))
    # the same material in its own community's list names no community
    assert other.name not in text(row_of(page(reader, url(other, "/")), there))


def test_the_filter_form_keeps_each_requests_own_values(client_as, community, make_material):
    make_material(title="Презентация к уроку", type="presentation")
    reader = client_as("council")

    body = page(reader, url(community, "/?type=presentation&sort=downloads&q=уроку"))
    assert re.search(r'<option selected value="presentation">', body)
    assert re.search(r'<option selected value="downloads">', body)
    assert 'name="q" value="уроку"' in body

    body = page(reader, url(community, "/"))
    assert not re.search(r'<option selected value="presentation">', body)
    assert 'name="q" value=""' in body

    body = page(reader, url(community, "/?q=" + "а" * 201))
    assert "Не больше 200 символов." in text(body)
    assert "Не больше 200 символов." not in text(page(reader, url(community, "/?q=урок")))


def test_the_filter_form_lists_a_new_author(client_as, people, community):
    reader = client_as("council")
    body = page(reader, url(community, "/"))
    assert "Голубева Нина Сергеевна" not in body
    newcomer = make_user(full_name="Голубева Нина Сергеевна")
    make_membership(newcomer, community)
    db.session.commit()
    body = page(reader, url(community, "/"))
    assert f'<option value="{newcomer.id}">Голубева Нина Сергеевна</option>' in body


def test_search_page_queries_do_not_grow_with_results(client_as, people, community,
                                                      make_material):
    reader = client_as("council")
    make_material(title="Урок математики", topics="математика, алгебра")
    with count_queries() as one:
        page(reader, url(community, "/?q=урок"))
    for n in range(6):
        make_material(title=f"Урок литературы {n}", topics=f"литература, тема {n}",
                      files=(("Урок.pdf", PDF),))
    with count_queries() as seven:
        body = page(reader, url(community, "/?q=урок"))
    assert len(re.findall('class="material-row"', body)) == 7
    assert seven.count == one.count
