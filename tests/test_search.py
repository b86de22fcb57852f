"""app/search.py on the back end the session app runs (SQLite FTS5, or PostgreSQL when
TEST_DATABASE_URL is set): the same tests for both."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import delete, func, literal, select, union_all

from app.extensions import db
from app.search import (
    SearchDocument,
    SearchHit,
    index_document,
    remove_document,
    search,
    stem_text,
)
from tests.factories import make_community
from tests.helpers import count_queries

_ids = itertools.count(1)


def add(community, title: str, body: str = "", kind: str = "post") -> int:
    """Index one document with a fresh object id and commit; return the object id."""
    object_id = next(_ids)
    index_document(kind, object_id, community.id, title, body)
    db.session.commit()
    return object_id


def found(query: str, **kw) -> list[int]:
    return [hit.object_id for hit in search(query, **kw)]


# --- words -------------------------------------------------------------------------------


def test_stem_text_stems_folds_and_drops_stop_words():
    assert stem_text("Уроки и УРОКОВ: урок!") == "урок урок урок"
    assert stem_text("Учёт в школе") == "учет школ"
    assert stem_text("методических_рекомендаций") == "методическ рекомендац"
    assert stem_text("") == ""


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Открытый урок", "уроки"),
        ("Открытый урок", "уроков"),
        ("Открытые уроки", "урок"),
        ("План открытых уроков", "урок"),
        ("Методическое объединение", "методических"),
        ("Сборник методических рекомендаций", "методическое"),
        ("Наша школа", "школы"),
        ("Совет школы", "школе"),
        ("Проект в школе", "школа"),
    ],
)
def test_word_forms_find_each_other(community, text, query):
    doc = add(community, text)
    add(community, "Заседание совета", "Повестка и протокол")
    assert found(query) == [doc]


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Уроки в школе", "школы уроков"),  # every word stemmed, not only the last one
        ("Методические рекомендации для школы", "методических школа"),
    ],
)
def test_every_query_word_is_stemmed(community, text, query):
    doc = add(community, text)
    assert found(query) == [doc]


def test_all_words_must_match(community):
    add(community, "Урок математики")
    doc = add(community, "Урок физики", "Лабораторная работа")
    assert found("урок физики") == [doc]
    assert found("урок лабораторная") == [doc]
    assert found("урок химии") == []


@pytest.mark.parametrize(("text", "query"), [("Учёт посещаемости", "учет"),
                                             ("Учет посещаемости", "учёт"),
                                             ("ЁЛКА во дворе", "елка")])
def test_yo_and_ye_are_the_same_letter(community, text, query):
    doc = add(community, text)
    assert found(query) == [doc]


@pytest.mark.parametrize("query", ["УРОК", "Урок", "уРоКи"])
def test_case_does_not_matter(community, query):
    doc = add(community, "Открытый урок", "ПЛАН УРОКА")
    assert found(query) == [doc]


def test_stop_words_alone_find_nothing(community):
    add(community, "Что и как делать в школе")
    assert search("и в что") == []
    assert found("как в школе") != []


@pytest.mark.parametrize(("text", "query"), [("Сборник методических рекомендаций", "метод"),
                                             ("Открытые уроки", "уро"),
                                             ("Открытые уроки", "открытые ур"),
                                             ("Методическое объединение", "методи")])
def test_the_last_word_may_be_a_beginning(community, text, query):
    """Search as you type: the last word matches the beginning of a word."""
    doc = add(community, text)
    assert found(query) == [doc]


def test_only_the_last_word_is_a_beginning(community):
    add(community, "Открытые уроки")
    assert found("откр уроки") == []


# --- ranking, hits, paging ---------------------------------------------------------------


def test_more_matches_and_a_title_rank_higher(community):
    once = add(community, "Заметки с заседания", "На встрече обсуждали один урок и планы.")
    many = add(community, "Урок литературы", "Этот урок длился час; урок понравился всем.")
    hits = search("урок")
    assert [hit.object_id for hit in hits] == [many, once]
    assert hits[0].rank > hits[1].rank


def test_hit_carries_the_document_as_written(community):
    doc = add(community, "Открытые уроки в «Точке роста»", "Текст", kind="topic")
    [hit] = search("уроки")
    assert isinstance(hit, SearchHit)
    assert (hit.kind, hit.object_id, hit.community_id, hit.title) == (
        "topic", doc, community.id, "Открытые уроки в «Точке роста»")


def test_limit_and_offset_page_through_the_hits(community):
    docs = {add(community, f"Урок номер {n}") for n in range(5)}
    first, second, rest = (found("урок", limit=2), found("урок", limit=2, offset=2),
                           found("урок", limit=2, offset=4))
    assert len(first) == len(second) == 2 and len(rest) == 1
    assert set(first + second + rest) == docs
    assert found("урок", limit=0) == []


# --- filters -----------------------------------------------------------------------------


def test_community_filter(community):
    other = make_community()
    ours = add(community, "Урок в нашем сообществе")
    theirs = add(other, "Урок в другом сообществе")
    assert found("урок", community_ids=[community.id]) == [ours]
    assert found("урок", community_ids=[other.id]) == [theirs]
    assert sorted(found("урок", community_ids=[community.id, other.id])) == sorted([ours, theirs])
    assert sorted(found("урок")) == sorted([ours, theirs])
    assert found("урок", community_ids=[]) == []


def test_kind_filter(community):
    topic = add(community, "Урок", kind="topic")
    post = add(community, "Урок", kind="post")
    material = add(community, "Урок", kind="material")
    assert found("урок", kinds=["topic"]) == [topic]
    assert sorted(found("урок", kinds=["topic", "post"])) == sorted([topic, post])
    assert sorted(found("урок")) == sorted([topic, post, material])
    assert found("урок", kinds=[]) == []


def test_same_object_id_of_two_kinds_are_two_documents(community):
    index_document("topic", 7, community.id, "Урок", "")
    index_document("post", 7, community.id, "Урок", "")
    db.session.commit()
    assert sorted(hit.kind for hit in search("урок")) == ["post", "topic"]


# --- updates and removal -----------------------------------------------------------------


def test_update_reindexes(community):
    other = make_community()
    doc = add(community, "Старый заголовок", "Прежний текст о погоде")
    index_document("post", doc, other.id, "Новый заголовок", "Свежий текст об уроках")
    db.session.commit()
    assert search("погода") == [] and search("старый") == []
    assert found("уроки") == [doc]
    assert search("свежий")[0].community_id == other.id
    assert db.session.scalar(select(func.count()).select_from(SearchDocument)) == 1


def test_remove(community):
    doc = add(community, "Открытый урок")
    kept = add(community, "Урок для коллег")
    remove_document("post", doc)
    db.session.commit()
    assert found("урок") == [kept]
    remove_document("post", doc)  # already gone: nothing happens
    remove_document("material", kept)  # another kind: nothing happens
    db.session.commit()
    assert found("урок") == [kept]


def test_documents_deleted_behind_the_service_leave_no_trace(community):
    """A bulk delete (as ON DELETE CASCADE from a community does) takes the FTS rows along,
    and a reused row id does not bring old words back."""
    add(community, "Старые слова")
    db.session.execute(delete(SearchDocument))
    db.session.commit()
    doc = add(community, "Новые слова")
    assert search("старые") == []
    assert found("слова") == [doc]


def test_a_long_body_is_indexed(community):
    doc = add(community, "Сборник", "урок " * 60_000)
    assert found("урок") == [doc]


# --- hostile queries and the query budget --------------------------------------------------

HOSTILE = [
    '"', '""', "'", "*", "**", "-", "+", "^", "(", ")", "()", "урок -", "-урок", "урок*",
    "NEAR(", "NEAR(урок школа)", "урок NEAR школа", "a:b", "title:урок", "body:урок",
    "AND OR NOT", "урок AND", "OR", "урок OR школа", "NOT урок", "урок & школа", "урок | школа",
    "!урок", "урок:*", "урок <-> школа", "урок:A", "{урок}", "[урок]", "урок\\", "\x00урок",
    "'; DROP TABLE users; --", "\"; DROP TABLE search_documents; --", "1' OR '1'='1",
    "урок' OR 1=1 --", "%", "_", "урок%", "😀 урок", "①②③", "ﬁle", "İstanbul", "урок" * 100,
    "а" * 300, "урок " * 300, "\t\n", "   ",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_return_a_list(community, query):
    add(community, "Урок в школе", "Near and far: title body")
    assert isinstance(search(query), list)
    assert isinstance(search(query, community_ids=[community.id], kinds=["post"]), list)
    assert len(found("урок")) == 1  # nothing was dropped


@pytest.mark.parametrize("query", ["урок*", "урок -", "(урок)", '"урок"', "урок:", "-урок"])
def test_syntax_characters_are_separators(community, query):
    doc = add(community, "Урок в школе")
    assert found(query) == [doc]


@pytest.mark.parametrize("query", ["", " ", "\n\t", "***", "- - -"])
def test_empty_query_finds_nothing_without_a_query(community, query):
    add(community, "Урок")
    with count_queries() as counter:
        assert search(query) == []
    assert counter.count == 0


def test_search_is_one_query_however_many_hits(community):
    other = make_community()
    add(community, "Урок")
    ids = [community.id, other.id]
    with count_queries() as few:
        search("урок", community_ids=ids, kinds=["post", "topic"])
    for n in range(20):
        add(community if n % 2 else other, f"Урок {n}", "Методический урок")
    ids = [community.id, other.id]  # read before counting: the commits expired them
    with count_queries() as many:
        hits = search("урок", community_ids=ids, kinds=["post", "topic"])
    assert len(hits) == 20
    assert few.count == many.count == 1


# --- the ranking window --------------------------------------------------------------------


@pytest.fixture
def window(app, monkeypatch):
    """A ranking window of three matches (SEARCH_RANK_WINDOW), so that a few documents make a
    common word."""
    monkeypatch.setitem(app.config, "SEARCH_RANK_WINDOW", 3)
    return 3


def test_a_rare_word_has_all_its_matches_ranked_title_first(community, window):
    in_title = add(community, "Квиллинг на уроках технологии", "Бумажные полоски")
    in_body = [add(community, f"Поделки {n}", "Немного квиллинга") for n in range(2)]
    for n in range(5):  # newer documents without the word
        add(community, f"Урок {n}", "Другое")
    hits = search("квиллинг")
    assert [hit.object_id for hit in hits][0] == in_title
    assert {hit.object_id for hit in hits} == {in_title, *in_body}
    assert hits.window is None


def test_a_common_word_ranks_only_the_newest_matches_and_says_so(community, window):
    oldest_in_title = add(community, "Урок литературы", "Урок")
    newer = [add(community, f"Заметка {n}", "Про урок") for n in range(4)]
    hits = search("урок", limit=10)
    # The window: the three newest matches, ranked; the older title match is not among them.
    assert {hit.object_id for hit in hits} == set(newer[-3:])
    assert oldest_in_title not in {hit.object_id for hit in hits}
    assert hits.window == window


def test_the_window_ranks_the_title_first(community, window):
    add(community, "Заметка", "Про урок")
    titled = add(community, "Урок", "Текст")
    add(community, "Ещё заметка", "Про урок")
    add(community, "Заметка последняя", "Про урок")
    hits = search("урок")
    assert titled in [hit.object_id for hit in hits] and hits.window == window
    assert hits[0].object_id == titled


def test_exactly_a_window_of_matches_is_not_cut(community, window):
    docs = [add(community, f"Урок {n}") for n in range(window)]
    hits = search("урок")
    assert {hit.object_id for hit in hits} == set(docs) and hits.window is None


def test_other_communities_and_kinds_take_no_place_in_the_window(community, window):
    """The scope is part of the index query: newer documents of other communities or kinds
    do not push this community's matches out of the window."""
    other = make_community()
    ours = add(community, "Урок в нашем сообществе")
    for n in range(5):
        add(other, f"Урок в чужом сообществе {n}")
        add(community, f"Урок-тема {n}", kind="topic")
    hits = search("урок", community_ids=[community.id], kinds=["post"])
    assert [hit.object_id for hit in hits] == [ours] and hits.window is None
    assert {hit.community_id for hit in search("урок", community_ids=[other.id])} == {other.id}
    assert {hit.kind for hit in search("урок", kinds=["topic"])} == {"topic"}


def test_exclude_and_only_apply_before_the_window(community, window):
    seen = add(community, "Урок, который видно")
    hidden = [add(community, f"Урок скрытый {n}") for n in range(5)]
    # As the pages give them: SELECTs of object ids (here without a table of their own).
    hidden_ids = union_all(*(select(literal(object_id)) for object_id in hidden))
    excluded = search("урок", community_ids=[community.id], kinds=["post"], exclude=hidden_ids)
    assert [hit.object_id for hit in excluded] == [seen] and excluded.window is None
    only = search("урок", community_ids=[community.id], kinds=["post"],
                  only=select(literal(seen)))
    assert [hit.object_id for hit in only] == [seen] and only.window is None


def test_paging_stays_inside_the_window(community, window):
    docs = [add(community, f"Урок {n}") for n in range(5)]
    first, rest = search("урок", limit=2), search("урок", limit=2, offset=2)
    assert len(first) == 2 and len(rest) == 1
    assert {hit.object_id for hit in [*first, *rest]} == set(docs[-3:])
    assert first.window == window and rest.window == window


def test_a_long_beginning_finds_every_word_it_begins(community, monkeypatch):
    """SQLite looks a beginning of 4+ letters up among the index's terms; with more terms
    than it lists, FTS5's own prefix query answers. Both find the same."""
    docs = {add(community, title) for title in
            ("Методика", "Методист", "Методичка", "Методология", "Метод")}
    assert set(found("метод")) == docs
    monkeypatch.setattr("app.search.MAX_PREFIX_TERMS", 2)
    assert set(found("метод")) == docs
    assert set(found("методи")) == set(found("методи", limit=50))


def test_a_one_letter_last_word_is_a_whole_word(community):
    alone = add(community, "Раздел b")
    add(community, "Раздел bio")
    assert found("раздел b") == [alone]


def test_the_window_is_one_query_however_many_matches(community, window):
    add(community, "Урок")
    ids = [community.id]  # read before counting: the commits expire it
    with count_queries() as few:
        search("урок", community_ids=ids, kinds=["post"])
    for n in range(10):
        add(community, f"Урок {n}", "Методический урок")
    with count_queries() as many:
        hits = search("урок", community_ids=ids, kinds=["post"])
    assert hits.window == window
    assert few.count == many.count == 1


@pytest.mark.parametrize("dense", [1, 10**6])
def test_both_ways_to_the_window_find_the_same(community, window, monkeypatch, dense):
    """PostgreSQL walks the scope newest first when the probe finds the word dense, else
    gathers the matches from the GIN index (PROBE_DENSE decides); either way the window is
    the same newest matches, with `exclude` applied first. (SQLite has one way.)"""
    other = make_community()
    older = [add(community, f"Урок {n}", "Текст") for n in range(3)]
    excluded = add(community, "Урок исключённый")
    add(other, "Урок чужой")
    newest = add(community, "Заметка", "Про урок")
    monkeypatch.setattr("app.search.PROBE_DENSE", dense)
    hits = search("урок", community_ids=[community.id], kinds=["post"],
                  exclude=select(literal(excluded)))
    assert {hit.object_id for hit in hits} == {newest, *older[-2:]}
    assert hits.window == window


def test_a_built_statement_serves_other_words_scopes_and_restrictions(community):
    """search() builds its statement once per shape and runs it with each search's values:
    other words, communities, kinds and `only` of other values (a list of another length
    too) must each find their own documents."""
    other = make_community()
    physics = add(community, "Урок физики")
    chemistry = add(community, "Проект по химии")
    literature = add(other, "Урок литературы")
    topic = add(community, "Урок истории", kind="topic")
    both = [community.id, other.id]

    assert found("физики", community_ids=[community.id], kinds=["post"]) == [physics]
    assert found("химии", community_ids=[community.id], kinds=["post"]) == [chemistry]
    assert found("урок", community_ids=[other.id], kinds=["post"]) == [literature]
    assert found("урок", community_ids=[community.id], kinds=["post"]) == [physics]
    assert found("урок", community_ids=[community.id], kinds=["topic"]) == [topic]
    assert set(found("урок", community_ids=both, kinds=["post"])) == {physics, literature}

    def only(*ids):
        return select(SearchDocument.object_id).where(SearchDocument.object_id.in_(ids))

    assert found("урок", community_ids=both, kinds=["post"], only=only(physics)) == [physics]
    assert found("урок", community_ids=both, kinds=["post"],
                 only=only(literature)) == [literature]
    assert set(found("урок", community_ids=both, kinds=["post"],
                     only=only(physics, literature, chemistry))) == {physics, literature}
    assert found("урок", community_ids=both, kinds=["post"], only=only(chemistry)) == []
    assert found("урок", community_ids=both, kinds=["post"],
                 exclude=only(physics)) == [literature]
    assert found("урок", community_ids=both, kinds=["post"],
                 exclude=only(literature)) == [physics]


def test_statements_are_kept_per_shape_not_per_search(community, monkeypatch):
    from app import search as module

    monkeypatch.setattr(module, "_statements", {})
    add(community, "Урок")
    search("урок", community_ids=[community.id], kinds=["post"])
    kept = len(module._statements)
    for word in ("физика", "литература", "история", "урок"):  # stems of 4 letters or more
        for community_id in (community.id, community.id + 1000):
            search(word, community_ids=[community_id], kinds=["post"])
    assert len(module._statements) == kept
    search("урок физика", community_ids=[community.id], kinds=["post"])  # two words
    assert len(module._statements) == kept + 1


def test_postgresql_plans_each_query_for_its_own_words(community):
    """psycopg prepares a statement run five times, and PostgreSQL may then plan it once for
    any words: a plan made for a common word read the whole scope for a rare one. So on
    PostgreSQL the words are in the statement's text, not a parameter; SQLite plans no
    differently for other words and gets them as the MATCH parameter."""
    from sqlalchemy import event

    add(community, "Квиллинг на уроке технологии")
    ids = [community.id]  # read before listening: the commit expired it
    texts: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "search_documents" in statement:
            texts.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for word in ("квиллинг", "технология"):
            search(word, community_ids=ids, kinds=["post"])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    (first, first_params), (second, second_params) = texts
    if db.engine.dialect.name == "postgresql":
        assert "'квиллинг:*'" in first and "'технология:*'" in second
        assert "квиллинг" not in str(first_params)
    else:
        assert first == second
        assert "квиллинг" in str(first_params) and "квиллинг" not in first
