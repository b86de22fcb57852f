"""The methodological bank through its routes: adding materials (files, links, co-authors,
on a member's behalf), approval, versions, browsing (filters, sorts, downloads, best
practices), search (word forms, text inside files), «Мои материалы» and the bank of all the
member's communities, complaints and removal through moderation, bad input, permissions and
the list's query count."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.communities.models import Community
from app.extensions import db
from app.materials.models import (
    Material,
    MaterialAuthor,
    MaterialFile,
    MaterialFileVersion,
    MaterialStatus,
    MaterialTopic,
)
from app.moderation.models import ModerationCase, Report
from app.notifications.models import Notification
from app.search import SearchDocument
from app.uploads import StoredFile
from tests.factories import make_community, make_membership, make_user
from tests.helpers import HX, count_queries, text
from tests.keyset import load_more_href
from tests.materials.conftest import (
    DOCX,
    MZ,
    PDF,
    docx_with_text,
    files_on_disk,
    handmade_pdf,
)

IP_NOTE = "коллективная интеллектуальная собственность"


def url(community, path=""):
    return f"/c/{community.slug}/materials{path}"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def notes_for(user) -> list[str]:
    return list(db.session.scalars(
        select(Notification.text).where(Notification.user_id == user.id).order_by(Notification.id)
    ))


def fresh(material) -> Material:
    return db.session.get(Material, material.id)


def status(client, path: str) -> int:
    """GET's status, the response closed (a download holds the file open until then)."""
    with client.get(path) as response:
        return response.status_code


def download_url(community, material, version_number=None) -> str:
    """The download address of the first file's version (the current one by default)."""
    mfile = fresh(material).files[0]
    version = mfile.current if version_number is None else next(
        v for v in mfile.versions if v.number == version_number)
    return url(community, f"/files/{mfile.id}/v/{version.id}")


ROW_TITLE = re.compile(r'class="material-row">\s*<article>\s*<h3><a href="[^"]*">([^<]*)</a>')


def listed(client, path: str) -> list[str]:
    """The titles of the list's rows, in order (the htmx fragment: rows only)."""
    response = client.get(path, headers=HX)
    assert response.status_code == 200, path
    body = text(response)
    assert "<html" not in body
    return ROW_TITLE.findall(body)


def form(**overrides) -> dict:
    data = {
        "title": "Конспект урока по теме «Дроби»",
        "description": "",
        "type": "lesson_plan",
        "level": "basic",
        "topics": "",
        "link_url": "",
    }
    data.update(overrides)
    return data


def multipart(fields: dict, files=(), field="files") -> dict:
    """client.post() keywords for a multipart body encoded in memory: werkzeug's test client
    spools a body over 500 KB to a temp file it never closes (a ResourceWarning)."""
    values = MultiDict(fields)
    for name, content in files:
        values.add(field, FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def post_new(client, community, headers=None, files=(), **overrides):
    return client.post(url(community, "/new"), headers=headers or {},
                       **multipart(form(**overrides), files))


def snapshot() -> tuple:
    """What a refused request must leave unchanged: rows of every kind and files on disk."""
    return (count(Material), count(MaterialFile), count(MaterialFileVersion), count(StoredFile),
            count(MaterialTopic), count(MaterialAuthor), count(SearchDocument), files_on_disk())


# --- adding ----------------------------------------------------------------------------


def test_member_adds_a_material_with_two_files_a_link_and_coauthors(client_as, people,
                                                                    community):
    disk_before = files_on_disk()
    client = client_as("member")
    response = post_new(
        client, community,
        description="Разработка **урока** <script>alert(1)</script> [ссылка](javascript:alert(1))",
        topics="ФГОС; функциональная грамотность, фгос",
        link_url="https://school.ru/урок",
        coauthor_ids=[str(people["expert"].id), str(people["council"].id)],
        files=[("План урока.pdf", PDF), ("Конспект.docx", DOCX)],
    )
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    assert response.headers["Location"].endswith(url(community, f"/{material.id}"))
    assert (material.title, material.type, material.level) == (
        "Конспект урока по теме «Дроби»", "lesson_plan", "basic")
    assert material.author_id == people["member"].id and material.placed_by_id is None
    assert material.status == MaterialStatus.PUBLISHED and material.published_at is not None
    assert material.link_url == "https://school.ru/урок"
    assert {c.user_id for c in material.coauthors} == {people["expert"].id,
                                                       people["council"].id}
    assert sorted(t.tag for t in material.topics) == ["фгос", "функциональная грамотность"]
    # Markdown rendered and sanitized.
    assert "<strong>урока</strong>" in material.description_html
    assert "<script" not in material.description_html
    assert "href=\"javascript" not in material.description_html
    # Both files stored, each with a first version, on disk.
    names = [f.current.stored.original_name for f in material.files]
    assert names == ["План урока.pdf", "Конспект.docx"]
    assert all(f.current_version == 1 and f.current.number == 1 for f in material.files)
    assert count(StoredFile) == 2 and len(files_on_disk()) == len(disk_before) + 2

    page = text(client_as("chair").get(url(community, f"/{material.id}")))
    assert "План урока.pdf" in page and "Конспект.docx" in page
    assert people["expert"].full_name in page and people["council"].full_name in page
    assert "ФГОС" in page and "функциональная грамотность" in page
    assert "<script>alert(1)</script>" not in page and 'href="javascript' not in page
    assert IP_NOTE in page
    assert "https://school.ru/урок" in page
    # The search finds it by a word of its title, its topics and its co-author.
    assert listed(client_as("chair"), url(community, "/?q=дробь")) == [material.title]
    assert listed(client_as("chair"), url(community, "/?q=грамотности")) == [material.title]
    assert listed(client_as("chair"), url(community, "/?q=Экспертова")) == [material.title]


def test_script_in_the_title_is_harmless(client_as, community):
    post_new(client_as("member"), community, title="<script>alert(1)</script>Урок",
             files=[("План.pdf", PDF)])
    material = db.session.scalar(select(Material))
    client = client_as("chair")
    for path in (url(community, "/"), url(community, f"/{material.id}"), "/bank/"):
        page = text(client.get(path))
        assert "<script>alert(1)</script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;Урок" in page, path


def test_add_with_htmx_answers_with_hx_redirect(client_as, community):
    response = post_new(client_as("member"), community, headers=HX,
                        files=[("План.pdf", PDF)])
    assert response.status_code == 200
    material = db.session.scalar(select(Material))
    assert response.headers["HX-Redirect"].endswith(url(community, f"/{material.id}"))
    assert text(response) == ""


def test_a_link_alone_is_enough(client_as, community):
    response = post_new(client_as("member"), community, title="Видеоурок",
                        type="video", link_url="https://rutube.ru/video/123/")
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    assert material.files == [] and material.link_url == "https://rutube.ru/video/123/"


def test_bank_and_material_pages_say_materials_are_collective_property(client_as, community,
                                                                       make_material):
    material = make_material()
    client = client_as("member")
    assert IP_NOTE in text(client.get(url(community, "/")))
    assert IP_NOTE in text(client.get(url(community, f"/{material.id}")))
    assert IP_NOTE in text(client.get("/bank/"))


def test_new_form_offers_on_behalf_only_to_the_coordinator(client_as, community):
    assert 'name="on_behalf_of"' in text(client_as("coordinator").get(url(community, "/new")))
    page = text(client_as("member").get(url(community, "/new")))
    assert 'name="title"' in page and 'name="on_behalf_of"' not in page


# --- approval --------------------------------------------------------------------------


@pytest.fixture
def approval(community):
    row = db.session.get(Community, community.id)
    row.materials_need_approval = True
    db.session.commit()
    return row


def test_pending_material_waits_for_the_coordinator(client_as, people, community, approval):
    author = client_as("member")
    response = post_new(author, community, title="Рабочая программа кружка",
                        files=[("Программа.pdf", PDF)])
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    assert material.status == MaterialStatus.PENDING and material.published_at is None
    assert any("ждёт публикации" in n for n in notes_for(people["coordinator"]))
    # Other members: not there at all.
    other = client_as("chair")
    assert other.get(url(community, f"/{material.id}")).status_code == 404
    assert status(other, download_url(community, material)) == 404
    assert "Рабочая программа кружка" not in listed(other, url(community, "/"))
    assert "Рабочая программа кружка" not in text(other.get(url(community, "/")))
    assert listed(other, url(community, "/?q=программа")) == []
    # The author sees it, marked.
    page = text(author.get(url(community, f"/{material.id}")))
    assert "Ждёт публикации координатором." in page
    assert listed(author, url(community, "/")) == ["Рабочая программа кружка"]
    # The author cannot publish it.
    assert author.post(url(community, f"/{material.id}/publish")).status_code == 403
    assert fresh(material).status == MaterialStatus.PENDING
    # The coordinator sees it waiting and publishes it.
    coordinator = client_as("coordinator")
    index = text(coordinator.get(url(community, "/")))
    waiting = index.split("Ждут публикации")[1].split("</section>")[0]
    assert "Рабочая программа кружка" in waiting
    response = coordinator.post(url(community, f"/{material.id}/publish"))
    assert response.status_code == 303
    published = fresh(material)
    assert published.status == MaterialStatus.PUBLISHED and published.published_at is not None
    assert any("опубликован" in n and "Рабочая программа кружка" in n
               for n in notes_for(people["member"]))
    assert "Ждут публикации" not in text(coordinator.get(url(community, "/")))
    assert other.get(url(community, f"/{material.id}")).status_code == 200
    assert listed(other, url(community, "/?q=программа")) == ["Рабочая программа кружка"]


def test_coordinator_material_needs_no_approval(client_as, community, approval):
    post_new(client_as("coordinator"), community, files=[("План.pdf", PDF)])
    assert db.session.scalar(select(Material)).status == MaterialStatus.PUBLISHED


def test_unpublished_material_cannot_be_downloaded(client_as, community, approval,
                                                   make_material):
    material = make_material()
    path = download_url(community, material)
    assert status(client_as("chair"), path) == 404
    assert status(client_as("outsider"), path) == 403
    assert status(client_as("member"), path) == 200  # the author
    assert status(client_as("coordinator"), path) == 200


# --- on a member's behalf --------------------------------------------------------------


def test_coordinator_places_a_material_on_a_members_behalf(client_as, people, community):
    response = post_new(client_as("coordinator"), community, title="Опыт школы № 5",
                        on_behalf_of=str(people["member"].id), files=[("Опыт.pdf", PDF)])
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    assert material.author_id == people["member"].id
    assert material.placed_by_id == people["coordinator"].id
    assert any("от вашего имени" in n and "Опыт школы № 5" in n
               for n in notes_for(people["member"]))
    page = text(client_as("chair").get(url(community, f"/{material.id}")))
    assert "размещён координатором" in page and people["coordinator"].full_name in page
    # The member is the author: listed in «Мои материалы», may edit it.
    assert "Опыт школы № 5" in text(client_as("member").get("/bank/mine"))
    assert client_as("member").get(url(community, f"/{material.id}/edit")).status_code == 200


def test_member_cannot_place_a_material_on_someone_elses_behalf(client_as, people, community):
    before, notes = snapshot(), notes_for(people["chair"])
    response = post_new(client_as("member"), community, on_behalf_of=str(people["chair"].id),
                        files=[("План.pdf", PDF)])
    assert response.status_code == 422
    assert "Размещать материалы от имени участника может координатор." in text(response)
    assert snapshot() == before
    assert notes_for(people["chair"]) == notes


def test_on_behalf_of_an_outsider_is_refused(client_as, people, community):
    before = snapshot()
    response = post_new(client_as("coordinator"), community,
                        on_behalf_of=str(people["outsider"].id), files=[("План.pdf", PDF)])
    assert response.status_code == 422
    assert "Автор должен быть участником сообщества." in text(response)
    assert snapshot() == before


# --- versions --------------------------------------------------------------------------


def post_version(client, community, mfile_id, name, data):
    return client.post(url(community, f"/files/{mfile_id}/version"),
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_author_and_coordinator_upload_new_versions(client_as, people, community,
                                                    make_material):
    material = make_material(files=[("План.pdf", PDF)])
    mfile = material.files[0]
    first = download_url(community, material)
    author = client_as("member")
    assert author.get(url(community, f"/files/{mfile.id}/version")).status_code == 200
    v2 = PDF + b"% version 2\n"
    response = post_version(author, community, mfile.id, "План, редакция 2.pdf", v2)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(community, f"/{material.id}"))
    row = db.session.get(MaterialFile, mfile.id)
    assert row.current_version == 2
    assert [v.number for v in row.versions] == [2, 1]
    assert row.versions[0].uploaded_by_id == people["member"].id
    # Both versions downloadable by another member.
    reader = client_as("chair")
    with reader.get(download_url(community, material)) as response:
        assert response.status_code == 200 and response.data == v2
    with reader.get(first) as response:
        assert response.status_code == 200 and response.data == PDF
    page = text(reader.get(url(community, f"/{material.id}")))
    assert "План, редакция 2.pdf" in page and "Прежние версии" in page and "Версия 1" in page
    # The coordinator may add one too.
    response = post_version(client_as("coordinator"), community, mfile.id, "План 3.pdf",
                            PDF + b"% 3\n")
    assert response.status_code == 303
    assert db.session.get(MaterialFile, mfile.id).current_version == 3


def test_another_member_cannot_upload_a_version(client_as, community, make_material):
    material = make_material()
    mfile = material.files[0]
    before = snapshot()
    client = client_as("chair")
    assert client.get(url(community, f"/files/{mfile.id}/version")).status_code == 403
    response = post_version(client, community, mfile.id, "Подмена.pdf", PDF + b"%x\n")
    assert response.status_code == 403
    assert snapshot() == before
    assert db.session.get(MaterialFile, mfile.id).current_version == 1


def test_author_cannot_upload_a_version_of_a_removed_material(client_as, community,
                                                              make_material):
    material = make_material()
    mfile = material.files[0]
    client_as("coordinator").post(
        f"/c/{community.slug}/moderation/items/material/{material.id}/remove",
        data={"ground": "spam"})
    assert fresh(material).hidden_at is not None
    before = snapshot()
    response = post_version(client_as("member"), community, mfile.id, "Снова.pdf",
                            PDF + b"% again\n")
    assert response.status_code in (403, 404, 422)
    assert snapshot() == before
    assert db.session.get(MaterialFile, mfile.id).current_version == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [(None, None, "Выберите файл новой версии."),
     ("Пустой.pdf", b"", "пустой"),
     ("Вирус.pdf", MZ, "похож на программу")],
)
def test_bad_version_saves_nothing(client_as, community, make_material, name, data, message):
    material = make_material()
    mfile = material.files[0]
    before = snapshot()
    client = client_as("member")
    if name is None:
        response = client.post(url(community, f"/files/{mfile.id}/version"), data={},
                               content_type="multipart/form-data")
    else:
        response = post_version(client, community, mfile.id, name, data)
    assert response.status_code == 422
    assert message in text(response)
    assert snapshot() == before
    assert db.session.get(MaterialFile, mfile.id).current_version == 1


# --- browsing: filters, sorts, downloads, best practices ---------------------------------


@pytest.fixture
def shelf(people, make_material):
    """Four published materials of various kinds, oldest first."""
    from datetime import datetime

    return {
        "plan": make_material(title="Конспект по физике", type="lesson_plan", level="basic",
                              topics="Физика, ФГОС", created_at=datetime(2024, 1, 1)),
        "slides": make_material(people["chair"], title="Презентация по химии",
                                type="presentation", level="secondary", topics="Химия",
                                created_at=datetime(2024, 2, 1)),
        "law": make_material(people["coordinator"], title="Приказ о конкурсе",
                             type="normative", level="all", topics="ФГОС",
                             created_at=datetime(2024, 3, 1)),
        "kids": make_material(people["council"], title="Игры в детском саду",
                              type="methodical", level="preschool",
                              created_at=datetime(2024, 4, 1)),
    }


def test_list_is_newest_first(client_as, community, shelf):
    assert listed(client_as("member"), url(community, "/")) == [
        "Игры в детском саду", "Приказ о конкурсе", "Презентация по химии",
        "Конспект по физике",
    ]


@pytest.mark.parametrize(
    ("query", "titles"),
    [("type=presentation", ["Презентация по химии"]),
     ("type=normative", ["Приказ о конкурсе"]),
     ("level=preschool", ["Игры в детском саду"]),
     ("level=basic", ["Конспект по физике"]),
     ("topic=фгос", ["Приказ о конкурсе", "Конспект по физике"]),
     ("topic=ФГОС", ["Приказ о конкурсе", "Конспект по физике"]),
     ("topic=Химия", ["Презентация по химии"]),
     ("topic=Астрономия", []),
     ("type=lesson_plan&topic=ФГОС", ["Конспект по физике"]),
     ("type=no-such-type", [])],
)
def test_filters(client_as, community, shelf, query, titles):
    assert listed(client_as("member"), url(community, f"/?{query}")) == titles


def test_filter_by_author(client_as, people, community, shelf):
    client = client_as("member")
    path = url(community, f"/?author={people['chair'].id}")
    assert listed(client, path) == ["Презентация по химии"]
    page = text(client.get(url(community, "/")))
    chair_id = people["chair"].id
    assert f'<option value="{chair_id}">' in page  # the author filter offers the members


def test_topic_badge_links_to_the_topic_filter(client_as, community, shelf):
    client = client_as("member")
    page = text(client.get(url(community, f"/{shelf['slides'].id}")))
    match = re.search(r'<a class="badge" href="([^"]*\?topic=[^"]*)">Химия</a>', page)
    assert match is not None
    assert match.group(1) == url(community, "/?topic=%D0%A5%D0%B8%D0%BC%D0%B8%D1%8F")
    assert listed(client, match.group(1)) == ["Презентация по химии"]


def test_downloads_are_counted_and_sort_the_list(client_as, community, shelf):
    client = client_as("member")
    for _ in range(3):
        assert status(client, download_url(community, shelf["slides"])) == 200
    assert status(client, download_url(community, shelf["plan"])) == 200
    assert fresh(shelf["slides"]).download_count == 3
    assert fresh(shelf["plan"]).download_count == 1
    titles = listed(client, url(community, "/?sort=downloads"))
    assert titles[:2] == ["Презентация по химии", "Конспект по физике"]
    page = text(client.get(url(community, f"/{shelf['slides'].id}")))
    assert "<dt>Скачивания</dt><dd>3</dd>" in page


def test_download_gives_the_file_with_its_name(client_as, community, make_material):
    material = make_material(files=[("План работы.pdf", PDF)])
    with client_as("chair").get(download_url(community, material)) as response:
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''%D0%9F%D0%BB%D0%B0%D0%BD" in disposition


def test_download_of_a_version_of_another_file_is_404(client_as, community, make_material):
    one, two = make_material(), make_material(title="Другой")
    foreign_version = fresh(two).files[0].current.id
    path = url(community, f"/files/{fresh(one).files[0].id}/v/{foreign_version}")
    assert status(client_as("member"), path) == 404
    assert client_as("member").get(url(community, "/files/99999/v/1")).status_code == 404


def test_coordinator_marks_and_unmarks_a_best_practice(client_as, people, community, shelf):
    material = shelf["plan"]
    coordinator = client_as("coordinator")
    response = coordinator.post(url(community, f"/{material.id}/best"))
    assert response.status_code == 303
    assert fresh(material).is_best_practice
    assert any("лучшая практика" in n for n in notes_for(people["member"]))
    member = client_as("chair")
    index = text(member.get(url(community, "/")))
    best = index.split('class="best-practices"')[1].split("</section>")[0]
    assert "Конспект по физике" in best and "Презентация по химии" not in best
    assert "Лучшая практика" in text(member.get(url(community, f"/{material.id}")))
    assert listed(member, url(community, "/?sort=best"))[0] == "Конспект по физике"
    response = coordinator.post(url(community, f"/{material.id}/unmark"))
    assert response.status_code == 303
    assert not fresh(material).is_best_practice
    assert 'class="best-practices"' not in text(member.get(url(community, "/")))


@pytest.mark.parametrize("role", ["member", "chair", "council", "expert"])
def test_only_the_coordinator_marks_best_practices(client_as, community, shelf, role):
    material = shelf["plan"]  # the member's own
    assert client_as(role).post(url(community, f"/{material.id}/best")).status_code == 403
    assert not fresh(material).is_best_practice
    db.session.get(Material, material.id).is_best_practice = True
    db.session.commit()
    assert client_as(role).post(url(community, f"/{material.id}/unmark")).status_code == 403
    assert fresh(material).is_best_practice


def test_pending_material_cannot_be_a_best_practice(client_as, community, approval,
                                                    make_material):
    material = make_material()
    coordinator = client_as("coordinator")
    response = coordinator.post(url(community, f"/{material.id}/best"))
    assert response.status_code == 303
    assert not fresh(material).is_best_practice
    follow = text(coordinator.get(url(community, f"/{material.id}")))
    assert "Лучшей практикой можно отметить только опубликованный материал." in follow


def test_best_practices_are_on_the_community_home_page(client, client_as, community, shelf):
    home_path = f"/c/{community.slug}/"
    assert "Лучшие практики" not in text(client_as("member").get(home_path))
    client_as("coordinator").post(url(community, f"/{shelf['plan'].id}/best"))
    assert fresh(shelf["plan"]).is_best_practice
    home = text(client_as("member").get(home_path))
    best = home.split('class="best-practices"')[1].split("</section>")[0]
    link = url(community, f"/{shelf['plan'].id}")
    assert f'href="{link}"' in best and "Конспект по физике" in best
    assert "Презентация по химии" not in best
    # Guests and outsiders see the public page without the bank's contents.
    for outside in (client, client_as("outsider")):
        assert "Конспект по физике" not in text(outside.get(home_path))
    client_as("coordinator").post(url(community, f"/{shelf['plan'].id}/unmark"))
    assert "Конспект по физике" not in text(client_as("member").get(home_path))


# --- search ----------------------------------------------------------------------------


@pytest.fixture
def library(people, make_material):
    return {
        "literature": make_material(title="Уроки литературы в 5 классе"),
        "methods": make_material(title="Сборник методических рекомендаций",
                                 description="Для молодых педагогов"),
        "physics": make_material(title="Физика для всех", description="Опыты и задачи"),
    }


def test_search_understands_russian_word_forms(client_as, community, library):
    client = client_as("chair")
    assert listed(client, url(community, "/?q=урок")) == ["Уроки литературы в 5 классе"]
    assert listed(client, url(community, "/?q=методическое")) == [
        "Сборник методических рекомендаций"]
    assert listed(client, url(community, "/?q=педагог")) == ["Сборник методических рекомендаций"]
    assert listed(client, url(community, "/?q=астрономия")) == []
    page = text(client.get(url(community, "/?q=астрономия")))
    assert "<html" in page and "Ничего не найдено" in page


def test_search_combines_with_filters(client_as, community, make_material):
    make_material(title="Урок физики", type="lesson_plan")
    make_material(title="Урок химии: презентация", type="presentation")
    assert listed(client_as("member"), url(community, "/?q=урок&type=presentation")) == [
        "Урок химии: презентация"]


def test_search_stays_inside_the_community(client_as, people, community, make_material):
    other = people["other_community"]
    make_membership(people["member"], other)
    make_material(title="Чужой урок литературы", community_=other)
    make_material(title="Наш урок литературы")
    assert listed(client_as("chair"), url(community, "/?q=литература")) == [
        "Наш урок литературы"]


def test_search_finds_words_inside_a_pdf(client_as, community, make_material):
    pytest.importorskip("app.textextract", reason="app/textextract.py is absent")
    make_material(title="Приложение 1",
                  files=[("Программа.pdf", handmade_pdf(["Рабочая программа по астрономии"]))])
    make_material(title="Приложение 2")
    assert listed(client_as("chair"), url(community, "/?q=астрономия")) == ["Приложение 1"]


def test_search_finds_words_inside_a_docx(client_as, community, make_material):
    pytest.importorskip("app.textextract", reason="app/textextract.py is absent")
    make_material(title="Приложение 3", files=[(
        "Проект.docx", docx_with_text("Проектная деятельность школьников", "Второй абзац"))])
    make_material(title="Приложение 4")
    assert listed(client_as("chair"), url(community, "/?q=проектной")) == ["Приложение 3"]


def test_search_finds_the_text_of_a_new_version(client_as, community, make_material):
    pytest.importorskip("app.textextract", reason="app/textextract.py is absent")
    material = make_material(title="Приложение 5")
    mfile = material.files[0]
    response = post_version(client_as("member"), community, mfile.id, "Новая.pdf",
                            handmade_pdf(["Геометрия Лобачевского"]))
    assert response.status_code == 303
    assert listed(client_as("chair"), url(community, "/?q=лобачевский")) == ["Приложение 5"]


# --- «Мои материалы» and the bank of all my communities ---------------------------------


def test_my_materials_lists_own_and_coauthored_with_status(client_as, people, community,
                                                           make_material):
    own = make_material(title="Мой опубликованный")
    coauthored = make_material(people["chair"], title="Совместный",
                               coauthors=[people["member"]])
    make_material(people["chair"], title="Чужой")
    row = db.session.get(Community, community.id)
    row.materials_need_approval = True
    db.session.commit()
    make_material(title="Мой на утверждении")
    page = text(client_as("member").get("/bank/mine"))
    assert "Чужой" not in page
    rows = {title: page.split(title)[1].split("</tr>")[0]
            for title in ("Мой опубликованный", "Совместный", "Мой на утверждении")}
    assert "опубликован" in rows["Мой опубликованный"]
    assert "ждёт публикации" in rows["Мой на утверждении"]
    assert "(соавтор)" in rows["Совместный"] and "опубликован" in rows["Совместный"]
    assert community.name in rows["Мой опубликованный"]
    for material in (own, coauthored):
        link = url(community, f"/{material.id}")
        assert f'href="{link}"' in page


def test_my_materials_shows_removal(client_as, people, community, make_material):
    material = make_material(title="Удалённый координатором")
    client_as("coordinator").post(
        f"/c/{community.slug}/moderation/items/material/{material.id}/remove",
        data={"ground": "spam"})
    page = text(client_as("member").get("/bank/mine"))
    assert "удалён координатором: спам" in page


def test_coauthor_opens_a_pending_coauthored_material(client_as, people, community, approval,
                                                      make_material):
    material = make_material(title="Совместный на утверждении", coauthors=[people["chair"]])
    assert "Совместный на утверждении" in text(client_as("chair").get("/bank/mine"))
    assert client_as("chair").get(url(community, f"/{material.id}")).status_code == 200


def test_bank_lists_all_my_communities_with_a_filter(client_as, people, community,
                                                     make_material):
    other = people["other_community"]
    make_membership(people["member"], other)
    third = make_community()
    make_material(title="Материал нашего сообщества", description="Олимпиадные задачи")
    make_material(people["other_coordinator"], community_=other, title="Материал второго",
                  description="Олимпиадные задачи")
    make_material(people["admin"], community_=third, title="Материал третьего",
                  description="Олимпиадные задачи")
    client = client_as("member")
    page = text(client.get("/bank/"))
    assert "Материал нашего сообщества" in page and "Материал второго" in page
    assert "Материал третьего" not in page
    assert community.name in page and other.name in page
    assert listed(client, f"/bank/?community={other.id}") == ["Материал второго"]
    assert listed(client, f"/bank/?community={community.id}") == ["Материал нашего сообщества"]
    # Someone else's community in the filter gives nothing of it.
    assert "Материал третьего" not in listed(client, f"/bank/?community={third.id}")
    # Search across my communities, with Russian word forms.
    assert sorted(listed(client, "/bank/?q=олимпиадная задача")) == [
        "Материал второго", "Материал нашего сообщества"]
    # Rows link into their own community.
    mine = db.session.scalar(select(Material).where(Material.title == "Материал второго"))
    assert f'href="/c/{other.slug}/materials/{mine.id}"' in page


def test_bank_of_an_outsider_has_no_materials(client_as, community, make_material):
    make_material(title="Только для участников")
    page = text(client_as("outsider").get("/bank/"))
    assert "Только для участников" not in page
    assert "Вы пока не состоите ни в одном сообществе." in page
    assert "Только для участников" not in text(client_as("outsider").get("/bank/?q=участников"))


def test_bank_hides_others_pending_materials(client_as, community, approval, make_material):
    make_material(title="Ещё не опубликован")
    assert "Ещё не опубликован" not in text(client_as("chair").get("/bank/"))
    assert listed(client_as("member"), "/bank/") == ["Ещё не опубликован"]


# --- complaints and removal through moderation -----------------------------------------


def test_member_reports_a_material(client_as, people, community, make_material):
    material = make_material()
    client = client_as("chair")
    page = text(client.get(url(community, f"/{material.id}")))
    report_path = f"/c/{community.slug}/moderation/report/material/{material.id}"
    assert "Пожаловаться" in page and f'href="{report_path}"' in page
    assert client.get(report_path).status_code == 200
    response = client.post(report_path, data={"ground": "spam", "comment": "Реклама"})
    assert response.status_code == 303
    report = db.session.scalar(select(Report))
    assert (report.kind, report.object_id, report.reporter_id) == (
        "material", material.id, people["chair"].id)
    case = db.session.scalar(select(ModerationCase))
    assert (case.kind, case.object_id, case.status) == ("material", material.id, "open")
    # The author has no such link on their own material.
    own = text(client_as("member").get(url(community, f"/{material.id}")))
    assert f'href="{report_path}"' not in own


def test_pending_material_cannot_be_reported_by_other_members(client_as, community, approval,
                                                              make_material):
    material = make_material(title="Черновик на утверждении", description="Тайное описание")
    report_path = f"/c/{community.slug}/moderation/report/material/{material.id}"
    client = client_as("chair")
    response = client.get(report_path)
    assert "Тайное описание" not in text(response)
    assert response.status_code == 404
    assert client.post(report_path, data={"ground": "spam"}).status_code == 404
    assert count(Report) == 0


def test_coordinator_removes_and_restores_a_material(client_as, people, community,
                                                     make_material):
    material = make_material(title="Сомнительная разработка")
    member = client_as("chair")
    path = download_url(community, material)
    page_path = url(community, f"/{material.id}")
    remove_path = f"/c/{community.slug}/moderation/items/material/{material.id}/remove"
    coordinator = client_as("coordinator")
    assert f'href="{remove_path}"' in text(coordinator.get(page_path))
    assert coordinator.get(remove_path).status_code == 200
    response = coordinator.post(remove_path, data={"ground": "spam", "comment": "Реклама"})
    assert response.status_code == 303
    removed = fresh(material)
    assert removed.hidden_at is not None and removed.hidden_reason == "spam"
    assert any("Ваш материал методического банка удалён координатором" in n and "спам" in n
               for n in notes_for(people["member"]))
    # Gone for the members: the page, the file, the list, the search.
    assert member.get(page_path).status_code == 404
    assert status(member, path) == 404
    assert status(client_as("outsider"), path) == 403
    assert listed(member, url(community, "/")) == []
    assert listed(member, url(community, "/?q=разработка")) == []
    assert listed(member, "/bank/?q=разработка") == []
    assert db.session.scalar(select(SearchDocument).where(
        SearchDocument.kind == "material", SearchDocument.object_id == material.id)) is None
    # The coordinator still sees it, marked, with a restore button.
    page = text(coordinator.get(page_path))
    assert "Удалён координатором: спам." in page and "Восстановить" in page
    # Restored: back everywhere.
    restore = f"/c/{community.slug}/moderation/items/material/{material.id}/restore"
    assert coordinator.post(restore).status_code == 303
    assert fresh(material).hidden_at is None
    assert member.get(page_path).status_code == 200
    assert status(member, path) == 200
    assert listed(member, url(community, "/?q=разработка")) == ["Сомнительная разработка"]


def test_members_cannot_remove_materials(client_as, community, make_material):
    material = make_material()
    remove_path = f"/c/{community.slug}/moderation/items/material/{material.id}/remove"
    response = client_as("chair").post(remove_path, data={"ground": "spam"})
    assert response.status_code == 403
    assert fresh(material).hidden_at is None


# --- bad input -------------------------------------------------------------------------


BIG = 1024 * 1024  # MAX_UPLOAD_MB is set to 1 in the test that uses it


@pytest.mark.parametrize(
    ("overrides", "files", "message"),
    [
        ({}, [("Пустой.pdf", b"")], "Файл «Пустой.pdf» пустой."),
        ({}, [("Большой.pdf", PDF + b"0" * BIG)], "Файл «Большой.pdf» больше 1 МБ."),
        ({}, [("Отчёт.pdf", MZ)], "похож на программу"),
        ({}, [("Хороший.pdf", PDF), ("Плохой.pdf", MZ)], "Файл «Плохой.pdf» похож на программу"),
        ({}, [("Таблица.docx", PDF)], "Файл «Таблица.docx» повреждён или не является файлом DOCX."),
        ({}, [("../../etc/passwd", b"root:x:0:0")], "Файл «passwd»: такой тип файлов не "
                                                    "принимается."),
        ({"title": ""}, [("План.pdf", PDF)], "Укажите название материала."),
        ({"title": "   "}, [("План.pdf", PDF)], "Укажите название материала."),
        ({"title": "я" * 301}, [("План.pdf", PDF)], "Не больше 300 символов."),
        ({"link_url": "htp:/x"}, [], "Ссылка должна быть полным адресом"),
        ({"link_url": "javascript:alert(1)"}, [], "Ссылка должна быть полным адресом"),
        ({"link_url": "javascript:alert(1)"}, [("План.pdf", PDF)],
         "Ссылка должна быть полным адресом"),
        ({"link_url": "school.ru/урок"}, [], "Ссылка должна быть полным адресом"),
        ({}, [], "Приложите хотя бы один файл или укажите ссылку."),
        ({"topics": ", ".join(f"Тема {n}" for n in range(11))}, [("План.pdf", PDF)],
         "Не больше 10 тем."),
        ({"topics": "т" * 61}, [("План.pdf", PDF)], "длиннее 60 символов"),
        ({"type": "virus"}, [("План.pdf", PDF)], "Выберите значение из списка."),
        ({"level": "university"}, [("План.pdf", PDF)], "Выберите значение из списка."),
    ],
    ids=["empty-file", "too-big", "exe-as-pdf", "one-bad-of-two", "wrong-content",
         "passwd-no-extension", "no-title", "blank-title", "long-title", "htp-link",
         "javascript-link", "javascript-link-with-file", "relative-link", "nothing-attached",
         "eleven-topics", "long-topic", "bad-type", "bad-level"],
)
def test_bad_input_saves_nothing(app, client_as, people, community, monkeypatch, overrides,
                                 files, message):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    before, notes = snapshot(), notes_for(people["coordinator"])
    for headers in ({}, HX):
        response = post_new(client_as("member"), community, headers=headers, files=files,
                            **overrides)
        assert response.status_code == 422
        body = text(response)
        assert message in body
        assert "etc/passwd" not in body
        assert snapshot() == before
    assert notes_for(people["coordinator"]) == notes


def test_coauthor_must_be_a_member(client_as, people, community):
    before = snapshot()
    response = post_new(client_as("member"), community, files=[("План.pdf", PDF)],
                        coauthor_ids=[str(people["outsider"].id)])
    assert response.status_code == 422
    assert "Соавторами могут быть только участники сообщества." in text(response)
    assert snapshot() == before


def test_path_in_a_file_name_is_dropped(client_as, community):
    response = post_new(client_as("member"), community,
                        files=[("../../etc/passwd.pdf", PDF), ("/var/www/index.pdf", PDF)])
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    names = [f.current.stored.original_name for f in material.files]
    assert names == ["passwd.pdf", "index.pdf"]
    page = text(client_as("chair").get(url(community, f"/{material.id}")))
    assert "passwd.pdf" in page and "etc/passwd" not in page and "/var/www" not in page
    with client_as("chair").get(download_url(community, material)) as download:
        assert download.status_code == 200 and download.data == PDF
        assert "etc" not in download.headers["Content-Disposition"]
        assert "passwd.pdf" in download.headers["Content-Disposition"]


def test_long_file_name_is_trimmed_keeping_the_extension(client_as, community):
    name = "Методическая разработка " + "я" * 272 + ".pdf"
    assert len(name) == 300
    response = post_new(client_as("member"), community, files=[(name, PDF)])
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    stored = material.files[0].current.stored
    assert len(stored.original_name) == 255 and stored.original_name.endswith("я.pdf")
    assert stored.original_name.startswith("Методическая разработка ")
    page = text(client_as("chair").get(url(community, f"/{material.id}")))
    assert stored.original_name in page


def test_two_files_with_the_same_name_are_both_kept(client_as, community):
    disk_before = files_on_disk()
    response = post_new(client_as("member"), community,
                        files=[("План.pdf", PDF), ("План.pdf", PDF + b"% 2\n")])
    assert response.status_code == 303
    material = db.session.scalar(select(Material))
    assert [f.current.stored.original_name for f in material.files] == ["План.pdf",
                                                                         "План (2).pdf"]
    assert len(files_on_disk()) == len(disk_before) + 2
    page = text(client_as("chair").get(url(community, f"/{material.id}")))
    assert "План.pdf" in page and "План (2).pdf" in page


def test_missing_material_is_404(client_as, community):
    client = client_as("member")
    assert client.get(url(community, "/99999")).status_code == 404
    assert client.get(url(community, "/99999/edit")).status_code == 404


def test_material_of_another_community_is_404(client_as, people, community, make_material):
    other = people["other_community"]
    foreign = make_material(people["other_coordinator"], community_=other, title="Чужой")
    client = client_as("coordinator")
    assert client.get(url(community, f"/{foreign.id}")).status_code == 404
    mfile = fresh(foreign).files[0]
    path = url(community, f"/files/{mfile.id}/v/{mfile.current.id}")
    assert status(client, path) == 404
    assert client.post(url(community, f"/{foreign.id}/best")).status_code == 404
    assert not fresh(foreign).is_best_practice


# --- permissions -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_non_members_are_refused(client_as, community, make_material, role):
    material = make_material()
    mfile = fresh(material).files[0]
    client = client_as(role)
    before = snapshot()
    for path in ("/", f"/{material.id}", "/new", f"/{material.id}/edit",
                 f"/files/{mfile.id}/version", f"/files/{mfile.id}/v/{mfile.current.id}"):
        assert client.get(url(community, path)).status_code == 403, path
    assert post_new(client, community, files=[("План.pdf", PDF)]).status_code == 403
    assert client.post(url(community, f"/{material.id}/best")).status_code == 403
    assert snapshot() == before
    assert fresh(material).download_count == 0


@pytest.mark.parametrize("path", ["/", "/new", "/1"])
def test_anonymous_is_sent_to_log_in(client, community, path):
    response = client.get(url(community, path))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/bank/", "/bank/mine"])
def test_anonymous_is_sent_to_log_in_from_the_bank(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_editing_someone_elses_material_is_403(client_as, community, make_material):
    material = make_material(title="Исходное название")
    client = client_as("chair")
    assert client.get(url(community, f"/{material.id}/edit")).status_code == 403
    response = client.post(url(community, f"/{material.id}/edit"),
                           data=form(title="Взлом"), content_type="multipart/form-data")
    assert response.status_code == 403
    assert fresh(material).title == "Исходное название"
    assert "Изменить" not in text(client.get(url(community, f"/{material.id}")))


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_author_and_coordinator_edit(client_as, people, community, make_material, role):
    material = make_material(title="Исходное название", topics="Старая тема")
    client = client_as(role)
    page = text(client.get(url(community, f"/{material.id}/edit")))
    assert "Исходное название" in page and "Старая тема" in page
    response = client.post(
        url(community, f"/{material.id}/edit"),
        data={**form(title="Новое название", topics="Новая тема"),
              "coauthor_ids": [str(people["expert"].id)],
              "files": [(io.BytesIO(DOCX), "Дополнение.docx")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    edited = fresh(material)
    assert edited.title == "Новое название" and edited.author_id == people["member"].id
    assert [t.label for t in edited.topics] == ["Новая тема"]
    assert [c.user_id for c in edited.coauthors] == [people["expert"].id]
    assert len(edited.files) == 2
    chair = client_as("chair")
    assert listed(chair, url(community, "/?q=новое")) == ["Новое название"]
    assert listed(chair, url(community, "/?q=исходное")) == []
    assert listed(chair, url(community, "/?topic=Старая тема")) == []


def test_bad_edit_saves_nothing(client_as, community, make_material):
    material = make_material(title="Исходное название")
    before = snapshot()
    response = client_as("member").post(
        url(community, f"/{material.id}/edit"),
        data={**form(title="Новое", link_url="javascript:alert(1)"),
              "files": [(io.BytesIO(PDF), "Ещё.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Ссылка должна быть полным адресом" in text(response)
    assert snapshot() == before
    assert fresh(material).title == "Исходное название"


def test_muted_member_cannot_add(client_as, people, community):
    from datetime import timedelta

    from app.communities.models import Membership
    from app.mixins import utcnow

    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == people["member"].id,
                                 Membership.community_id == community.id))
    membership.muted_until = utcnow() + timedelta(days=3)
    db.session.commit()
    before = snapshot()
    response = post_new(client_as("member"), community, files=[("План.pdf", PDF)])
    assert response.status_code == 422
    assert "Координатор ограничил вам возможность писать" in text(response)
    assert snapshot() == before


# --- performance -----------------------------------------------------------------------


def test_list_query_count_does_not_grow_with_materials(client_as, people, community,
                                                       make_material):
    authors = [make_user() for _ in range(5)]
    for author in authors:
        make_membership(author, community)

    def add(n: int) -> None:
        for i in range(n):
            make_material(authors[i % 5], title=f"Материал {i}", link_url="https://school.ru/",
                          files=(), topics=f"Тема {i % 3}, ФГОС",
                          coauthors=[authors[(i + 1) % 5], authors[(i + 2) % 5]])

    add(5)
    best = db.session.scalar(select(Material).limit(1))
    best.is_best_practice = True
    db.session.commit()
    client = client_as("member")
    paths = [url(community, "/"), url(community, "/?sort=downloads"),
             url(community, "/?q=материал"), "/bank/"]
    for path in paths:
        client.get(path)  # warm up
    small = {}
    for path in paths:
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200
        small[path] = counter
    add(35)
    for path in paths:
        client.get(path)
    for path in paths:
        with count_queries() as large:
            response = client.get(path)
        assert response.status_code == 200
        assert len(ROW_TITLE.findall(text(response))) == 20, path
        assert large.count == small[path].count, (path, "\n".join(large.statements))
        assert large.count <= 15, (path, "\n".join(large.statements))
    # The second page holds the rest, with no further «Показать ещё».
    first = text(client.get(url(community, "/"), headers=HX))
    assert "Показать ещё" in first
    second = text(client.get(load_more_href(first), headers=HX))
    assert len(ROW_TITLE.findall(second)) == 20 and "Показать ещё" not in second
    assert not set(ROW_TITLE.findall(first)) & set(ROW_TITLE.findall(second))
