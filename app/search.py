"""Full-text search: the one service the forum and the materials bank use.

Every searchable object (a topic, a post, a material, ...) has one `SearchDocument` row, written
only through `index_document()` and `remove_document()`; `search()` finds them by words, in
Russian, so that «урок» finds «уроки» and «уроков». Two back ends answer the same API:

- SQLite (the embedded default): an FTS5 table `search_fts` (title, body, scope) whose rowid
  is `search_documents.id`. Title and body hold the *stemmed* text: Python stems with the
  Snowball stemmers (Russian for Cyrillic words, English for Latin ones), so the index and the
  queries agree. `scope` holds three tokens naming the document's kind and community
  (`kpost c7 kpostc7`, see `scope_text()`), so that the index itself, not a filter after it,
  keeps a search inside its communities and kinds; query words are matched in title and body
  only, so they never reach those tokens.
- PostgreSQL: a stored generated column `tsv` (`to_tsvector('russian', ...)` of the title,
  weighted A, and the body, weighted B) with a GIN index, and the b-tree
  `ix_search_documents_newest` (kind, id, community) that reads a kind's documents newest
  first.

Both back ends read the query the same way: words only (letters and digits; every operator
character is a separator), stop words dropped, ё folded to е, all words must match, and the
last word, if it has two letters or more, may be the beginning of a word (search as you
type). So no query can raise.

**The ranking window.** A common word («урок») matches tens of thousands of documents, and
ranking them all took 0.1–0.8 s a search at 100,000 materials and a million posts (more than
a second under load). So `search()` ranks at most the newest `window` matches (the config
value SEARCH_RANK_WINDOW, 500 by default; the newest is the highest document id): the
database reads the matches newest first and stops after `window + 1`. When there are more,
`Hits.window` says so, and the pages tell the reader («Найдено много материалов: показаны
самые подходящие из последних 500; уточните запрос»). A query with fewer matches, however
rare its words, has all of them ranked. The caller's restrictions (communities, kinds,
`exclude`, `only`: what the reader may see and the page's filters) are tested while reading,
so they never take places in the window. Matches are not counted beyond the window.

- SQLite: FTS5 gives the matches in rowid order, newest first on request, and its AND/OR of
  terms is read lazily, so the window costs its own rows (the scope is a term of the
  query). Ranked by the number of query words in the title, then the newest. (FTS5's bm25
  first counts every document of the whole index that holds each query word, to weigh the
  words: 10–40 ms for a common word at a million documents, whatever the window. The title
  test reads only the window's titles.)
- SQLite, a last word's beginning: FTS5 answers prefixes of 2 or 3 letters from its prefix
  index as it reads, but for a longer one it first merges every document of every term that
  begins so (10–25 ms for «урок*» at a million documents). So a beginning of 4 letters or more
  is looked up among the index's terms (the fts5vocab table `search_fts_terms`: one lookup a
  term) and searched as those words, `("урок" OR "урочн")`, inside the same statement; more
  than MAX_PREFIX_TERMS such terms fall back to FTS5's own prefix query.
- PostgreSQL cannot read a GIN index in id order. The statement first tests the scope's
  newest PROBE_DOCUMENTS documents: when the words are dense among them it walks the scope
  newest first until the window is full; else it gathers the matches from the GIN index
  (`_postgres_latest()` tells why). Ranked by `ts_rank` over the stored vector (title A,
  body B). Its cost is the window's rows for a common word and the matches for a rare one;
  in between (a word in a few per cent of a large scope) it can read some ten thousand rows.
  (app/__init__.py turns PostgreSQL's JIT compilation off: it took 90 ms to compile this
  statement.)

So a search is one statement; bench/results.md («Bank search at scale») has the figures.

Schema: `db.create_all()` builds the FTS and vocabulary tables (SQLite) or the tsv column and
its GIN index (PostgreSQL) through the DDL events at the end of this module; an Alembic
migration calls `schema_sql()` (see its docstring) after `op.create_table("search_documents",
...)`. Autogenerate ignores these objects through `alembic_include_name()` /
`alembic_include_object()` (migrations/env.py).

The functions here flush and never commit: the view that changes the object commits once.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import snowballstemmer
from flask import current_app
from sqlalchemy import (
    DDL,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    case,
    column,
    delete,
    event,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import Subquery

from app.extensions import db
from app.mixins import utcnow

FTS_TABLE = "search_fts"
# SQLite: the terms of the FTS index (fts5vocab), where a word's beginning is looked up.
FTS_TERMS = "search_fts_terms"
PG_INDEX = "ix_search_documents_tsv"
# PostgreSQL: the b-tree that reads a kind's documents newest first, their community read
# from the index (the ranking window's walk, see `_postgres_latest()`).
NEWEST_INDEX = "ix_search_documents_newest"
# PostgreSQL keeps the weighted vector in a stored generated column: ranking many matches then
# reads it instead of parsing every matching document again (1.5 s → tens of ms at 100,000).
PG_TSV_COLUMN = "tsv"

# Longer queries are cut: search-box input, not documents.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
# PostgreSQL refuses a tsvector over 1 MB; a body is indexed up to this many characters.
MAX_INDEXED_CHARS = 200_000

# At most this many matches are ranked, the newest (see the module docstring); the config
# value SEARCH_RANK_WINDOW overrides it.
RANK_WINDOW = 500
# SQLite: a last word's beginning of this many letters or more is searched as the index's
# terms that begin so, if there are at most MAX_PREFIX_TERMS of them (FTS5's prefix index
# answers shorter ones).
EXPANDED_PREFIX_CHARS = 4
MAX_PREFIX_TERMS = 64
# PostgreSQL: the newest PROBE_DOCUMENTS documents of the scope are tested first; with
# PROBE_DENSE matches or more among them (5 %), the window is found by walking the scope
# newest first, else by gathering every match from the GIN index (`_postgres_latest()`).
PROBE_DOCUMENTS = 200
PROBE_DENSE = 10


class SearchDocument(db.Model):
    """What the search knows of one object: its kind and id, its community, its text."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index(NEWEST_INDEX, "kind", "id", "community_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # "topic", "post", "material", ...
    object_id: Mapped[int]
    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str
    object_id: int
    community_id: int
    title: str
    rank: float  # higher is better; comparable only within one result list


class Hits(list):
    """What `search()` returns: the SearchHits, best first. `window` is None when every match
    was ranked; when the query matched more documents than the ranking window, it is that
    window: these are the best of the newest `window` matches only, and the page says so."""

    window: int | None = None


# --- words, stop words, stems -------------------------------------------------------------

# Letters and digits; everything else (quotes, *, -, :, parentheses, underscores) separates.
_WORD = re.compile(r"[^\W_]+")

# The stop lists of PostgreSQL's `russian` configuration (Snowball's lists, as in
# tsearch_data/russian.stop and english.stop), so that both back ends drop the same words.
RUSSIAN_STOP_WORDS = frozenset(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
    мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть
    был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть
    надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда
    кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас
    были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот
    через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед
    иногда лучше чуть том нельзя такой им более всегда конечно всю между
    """.split()
)
ENGLISH_STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """.split()
)
STOP_WORDS = RUSSIAN_STOP_WORDS | ENGLISH_STOP_WORDS

# The pure-Python Snowball stemmers keep state per call: one lock around them (a cache hit
# does not take it).
_stemmers = {
    "russian": snowballstemmer.stemmer("russian"),
    "english": snowballstemmer.stemmer("english"),
}
_stem_lock = threading.Lock()


def words(value: str) -> list[str]:
    """The words of `value`, lowercased, ё folded to е, stop words dropped, in order."""
    value = unicodedata.normalize("NFKC", value).lower().replace("ё", "е")
    return [w for w in _WORD.findall(value) if w not in STOP_WORDS]


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """One lowercased word's stem, as PostgreSQL's `russian` configuration would make it:
    Cyrillic (and other non-Latin) words by the Russian stemmer, Latin words by the English
    one, words with digits unchanged."""
    if not word.isalpha():
        return word
    language = "english" if word.isascii() else "russian"
    with _stem_lock:
        return _stemmers[language].stemWord(word) or word


def stem_text(text: str) -> str:
    """The text as the SQLite index stores it: stems separated by spaces."""
    return " ".join(stem(w) for w in words(text))


def query_words(query: str) -> list[str]:
    """The words a search query asks for (at most MAX_QUERY_WORDS); [] for nothing to find."""
    return words((query or "")[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]


def ends_in_prefix(terms: list[str]) -> bool:
    """Whether the last word may be a word's beginning: not a single letter, which would
    make the database gather every word beginning with it, and finds nothing useful."""
    return len(terms[-1]) >= 2


def pg_tsquery(terms: list[str]) -> str:
    """A to_tsquery('russian', ...) text: `урок & методических & школ:*`. The words hold
    letters and digits only, so no operator can get in; PostgreSQL stems them itself."""
    return " & ".join(terms) + (":*" if ends_in_prefix(terms) else "")


def _scope_token(kind: str | None = None, community_id: int | None = None) -> str:
    """One token of the FTS `scope` column: `kpost`, `c7` or `kpostc7`."""
    if kind is not None and not (kind.isascii() and kind.isalpha()):
        raise ValueError(f"a search kind is made of Latin letters: {kind!r}")
    return (f"k{kind}" if kind is not None else "") + (
        f"c{community_id}" if community_id is not None else "")


def scope_text(kind: str, community_id: int) -> str:
    """What the FTS `scope` column holds for a document: its kind, its community, and both."""
    return " ".join((_scope_token(kind), _scope_token(community_id=community_id),
                     _scope_token(kind, community_id)))


# --- schema objects outside the metadata ---------------------------------------------------

# The document vector: the GIN index and the query's WHERE must spell it the same way.
# For ts_rank only (computed for the matching rows): the title weighs more than the body.
PG_WEIGHTED_VECTOR = (
    "setweight(to_tsvector('russian', coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('russian', coalesce(body, '')), 'B')"
)


def create_sqlite_fts_sql() -> list[str]:
    """SQLite: the FTS5 table of stemmed text and scope tokens, the table of its terms, and a
    trigger that drops a document's row when the document goes (also by ON DELETE CASCADE
    from its community). Inserts and updates are the service's: the stemming happens in
    Python."""
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "title, body, scope, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TERMS} USING fts5vocab({FTS_TABLE}, 'instance')",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON search_documents "
        f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
    ]


def drop_sqlite_fts_sql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete", f"DROP TABLE IF EXISTS {FTS_TERMS}",
            f"DROP TABLE IF EXISTS {FTS_TABLE}"]


def create_postgres_index_sql() -> list[str]:
    """PostgreSQL: the stored weighted vector and its GIN index."""
    return [
        f"ALTER TABLE search_documents ADD COLUMN IF NOT EXISTS {PG_TSV_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({PG_WEIGHTED_VECTOR}) STORED",
        f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON search_documents USING gin ({PG_TSV_COLUMN})",
    ]


def drop_postgres_index_sql() -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {PG_INDEX}",
        f"ALTER TABLE search_documents DROP COLUMN IF EXISTS {PG_TSV_COLUMN}",
    ]


def schema_sql(dialect_name: str) -> list[str]:
    """What a migration runs after creating `search_documents`:
    `for sql in search.schema_sql(op.get_bind().dialect.name): op.execute(sql)`."""
    if dialect_name == "sqlite":
        return create_sqlite_fts_sql()
    if dialect_name == "postgresql":
        return create_postgres_index_sql()
    return []


def drop_schema_sql(dialect_name: str) -> list[str]:
    """What a migration's downgrade runs before dropping `search_documents`."""
    if dialect_name == "sqlite":
        return drop_sqlite_fts_sql()
    if dialect_name == "postgresql":
        return drop_postgres_index_sql()
    return []


_documents = SearchDocument.__table__
for _sql in create_sqlite_fts_sql():
    event.listen(_documents, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
for _sql in create_postgres_index_sql():
    event.listen(_documents, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in drop_sqlite_fts_sql():
    event.listen(_documents, "before_drop", DDL(_sql).execute_if(dialect="sqlite"))


def alembic_include_name(name, type_, parent_names) -> bool:
    """Alembic autogenerate: never reflect the FTS5 table and its shadow tables."""
    return not (type_ == "table" and name and name.startswith(FTS_TABLE))


def alembic_include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate: leave the FTS tables and the GIN index to `schema_sql()`."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == PG_TSV_COLUMN:
        return False
    return not (type_ == "index" and name in (PG_INDEX, "ix_search_documents_fts"))


# --- the service ----------------------------------------------------------------------------


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def _clip(value: str | None) -> str:
    return (value or "")[:MAX_INDEXED_CHARS]


def index_document(kind: str, object_id: int, community_id: int, title: str,
                   body: str) -> SearchDocument:
    """Insert or update the search document of one object. Flushes."""
    title, body = _clip(title), _clip(body)
    doc = db.session.scalar(
        select(SearchDocument).where(SearchDocument.kind == kind,
                                     SearchDocument.object_id == object_id)
    )
    if doc is None:
        doc = SearchDocument(kind=kind, object_id=object_id)
        db.session.add(doc)
    doc.community_id = community_id
    doc.title = title
    doc.body = body
    doc.updated_at = utcnow()
    db.session.flush()
    if _is_sqlite():
        # Delete first: a rowid may be reused after documents were deleted.
        db.session.execute(sql_text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": doc.id})
        db.session.execute(
            sql_text(f"INSERT INTO {FTS_TABLE} (rowid, title, body, scope) "
                     "VALUES (:id, :title, :body, :scope)"),
            {"id": doc.id, "title": stem_text(title), "body": stem_text(body),
             "scope": scope_text(kind, community_id)},
        )
    return doc


def remove_document(kind: str, object_id: int) -> None:
    """Forget one object (the SQLite trigger drops its FTS row). Flushes."""
    db.session.execute(
        delete(SearchDocument).where(SearchDocument.kind == kind,
                                     SearchDocument.object_id == object_id),
    )
    db.session.flush()


def _phrase(term: str) -> str:
    return f'"{term}"'  # a stem or a token: letters and digits, never a quote


def _scope_match(community_ids: list[int] | None, kinds: list[str] | None) -> str | None:
    """The FTS5 condition on the `scope` column: `scope : ("kpostc1" OR "kpostc2")`."""
    if community_ids is None and kinds is None:
        return None
    tokens = [_scope_token(kind, community_id)
              for kind in (kinds if kinds is not None else [None])
              for community_id in (community_ids if community_ids is not None else [None])]
    return "scope : (" + " OR ".join(_phrase(t) for t in tokens) + ")"


def _prefix_terms():
    """SQLite, as an SQL expression: the FTS5 query `("урок" OR "урочн")` of the index's
    terms that begin with the parameter `prefix` (of `prefix_len` characters), or NULL if
    there are none or more than MAX_PREFIX_TERMS. Each term is one lookup in
    `search_fts_terms` («the first term from here on»), so the cost is the number of terms,
    not of their documents. The scope tokens are terms too: a Latin beginning may list one,
    which then matches nothing (query words look in title and body only)."""
    terms = table(FTS_TERMS, column("term", String))
    prefix = bindparam("prefix", type_=String)

    def first_from(value):
        return select(terms.c.term).where(terms.c.term >= value).limit(1).scalar_subquery()

    def begins(term):
        return func.substr(term, 1, bindparam("prefix_len", type_=Integer)) == prefix

    found = select(first_from(prefix).label("term"), literal(1, Integer).label("n")).cte(
        "prefix_terms", recursive=True)
    # The next term: the first one from «this term and one more character» on (no term holds
    # char(1)). One more than the limit is read, to know that there are more.
    found = found.union_all(
        select(first_from(found.c.term + func.char(1)), found.c.n + 1)
        .where(begins(found.c.term), found.c.n <= MAX_PREFIX_TERMS)
    )
    listed = "(" + func.group_concat('"' + found.c.term + '"', " OR ") + ")"
    return (select(case((func.count() <= MAX_PREFIX_TERMS, listed)))
            .where(begins(found.c.term)).scalar_subquery())


def _sqlite_mode(terms: list[str]) -> str:
    """How the last word is matched: "word", "prefix" (FTS5's own prefix index) or
    "expanded" (looked up among the index's terms)."""
    if not ends_in_prefix(terms):
        return "word"
    return "prefix" if len(stem(terms[-1])) < EXPANDED_PREFIX_CHARS else "expanded"


def _sqlite_params(terms: list[str], community_ids: list[int] | None,
                   kinds: list[str] | None) -> dict[str, object]:
    """The values of `_sqlite_latest()`'s parameters for these words and this scope."""
    mode = _sqlite_mode(terms)
    stems = [stem(w) for w in terms]
    *whole, last = stems
    # The words: in title or body, all of them; the last one perhaps a beginning.
    head = "{title body} : (" + "".join(_phrase(s) + " AND " for s in whole)
    in_scope = _scope_match(community_ids, kinds)
    if in_scope:
        head = in_scope + " AND " + head
    params: dict[str, object] = {f"title_word_{i}": f" {s} " for i, s in enumerate(whole)}
    params["title_last"] = f" {last}" if mode != "word" else f" {last} "
    if mode == "word":
        params["match"] = head + _phrase(last) + ")"
    elif mode == "prefix":
        params["match"] = head + _phrase(last) + "*)"
    else:
        params.update(match_head=head, prefix=last, prefix_len=len(last),
                      prefix_phrase=_phrase(last) + "*")
    return params


def _sqlite_latest(words: int, mode: str, scope: list, admitted: Callable) -> Subquery:
    """SQLite: the newest `window + 1` matches of `words` query words, read from the FTS
    index newest first (its rowid order), the scope restricted in the index itself; the
    score is the number of query words in the (stemmed) title. The words come as the
    parameters of `_sqlite_params()`."""
    fts = table(FTS_TABLE, column("rowid", Integer), column("title", String))
    if mode != "expanded":
        match = bindparam("match", type_=String)
    else:
        match = (bindparam("match_head", type_=String)
                 + func.coalesce(_prefix_terms(), bindparam("prefix_phrase", type_=String))
                 + ")")
    title = " " + fts.c.title + " "
    in_title = [func.min(func.instr(title, bindparam(f"title_word_{i}", type_=String)), 1)
                for i in range(words - 1)]
    in_title.append(func.min(func.instr(title, bindparam("title_last", type_=String)), 1))
    score = in_title[0]
    for found in in_title[1:]:
        score = score + found
    return (
        select(SearchDocument.id, SearchDocument.kind, SearchDocument.object_id,
               SearchDocument.community_id, SearchDocument.title, score.label("score"))
        .select_from(fts)
        .join(SearchDocument, SearchDocument.id == fts.c.rowid)
        .where(literal_column(FTS_TABLE).op("MATCH")(match), *scope,
               *admitted(SearchDocument.object_id))
        .order_by(fts.c.rowid.desc())
        .limit(bindparam("window_plus_one", type_=Integer))
        .subquery("latest")
    )


def _pg_query() -> ColumnElement:
    """The words as a tsquery, written into the statement's text as a literal (the words are
    letters and digits, `pg_tsquery()`): psycopg prepares a statement run five times, and
    PostgreSQL then may plan it once for any words; a plan made for a common word read every
    document of the scope for a rare one (300 ms instead of 6 for «квиллинг» in the bank).
    With the words in the text, each query is planned for its own words."""
    return func.to_tsquery(literal_column("'russian'"),
                           bindparam("tsquery", type_=String, literal_execute=True))


def _postgres_latest(scope: list, admitted: Callable) -> Subquery:
    """PostgreSQL: the newest `window + 1` matches, with their vector (for ts_rank).

    A GIN index cannot be read in id order, so there are two ways to them, and neither is
    good for every word:
    - *walk*: the scope's documents newest first (NEWEST_INDEX), testing each, until
      `window + 1` match: cheap when matches are dense (a common word), but it would read
      the whole scope for a rare one;
    - *gather*: every match from the GIN index, then the newest: cheap when they are few,
      but it reads every match of a common word.
    The planner guesses the density from table-wide statistics, and a word common in the
    bank but rarer on the forum fools it («урок» in the bank: 150 ms instead of 10, at
    100,000 materials). So the statement measures it: the newest
    PROBE_DOCUMENTS documents of the scope are tested, and with PROBE_DENSE matches among
    them it walks, else it gathers. Both branches are in the statement, each behind a
    one-time test of the probe, so only one runs. To keep each to its way, the walk tests
    the vector with the function `ts_match_vq` (the `@@` operator that no index serves), and
    the gather orders by `id + 0` (an order no index gives)."""
    query = _pg_query()
    window_plus_one = bindparam("window_plus_one", type_=Integer)
    vector = literal_column(f"search_documents.{PG_TSV_COLUMN}")
    columns = (SearchDocument.id, SearchDocument.kind, SearchDocument.object_id,
               SearchDocument.community_id, SearchDocument.title, vector.label("tsv"))
    newest = (select(SearchDocument.object_id, vector.label("tsv")).where(*scope)
              .order_by(SearchDocument.id.desc()).limit(PROBE_DOCUMENTS).subquery("newest"))
    probe = (select(func.count().label("hits"))
             .where(func.ts_match_vq(newest.c.tsv, query),
                    *admitted(newest.c.object_id, newest))
             .cte("probe"))
    conditions = admitted(SearchDocument.object_id)
    dense = select(probe.c.hits).scalar_subquery() >= PROBE_DENSE
    walk = (select(*columns)
            .where(func.ts_match_vq(vector, query), *scope, *conditions, dense)
            .order_by(SearchDocument.id.desc()).limit(window_plus_one))
    gather = (select(*columns)
              .where(vector.op("@@")(query), *scope, *conditions, ~dense)
              .order_by((SearchDocument.id + 0).desc()).limit(window_plus_one))
    return union_all(walk, gather).subquery("latest")


def rank_window() -> int:
    return int(current_app.config.get("SEARCH_RANK_WINDOW", RANK_WINDOW))


def search(query: str, *, community_ids: list[int] | None = None,
           kinds: list[str] | None = None, limit: int = 20, offset: int = 0,
           exclude: Select | None = None, only: Select | None = None) -> Hits:
    """Documents holding every word of `query` (the last may be a word's beginning), best
    first, in `community_ids` and of `kinds` (None: any), but for the object ids `exclude`
    selects (what the reader may not see, e.g. the posts of other working groups' sections),
    and, if `only` is given, just the object ids it selects (what the reader may see and the
    page's filters let through, e.g. `select(Material.id).where(...)`). Give `exclude` and
    `only` with a single kind. These restrictions apply while the matches are read, before
    the ranking window (see the module docstring), so they take no places in it.

    One statement; none for an empty query. The statement is built once per process for
    each shape of search (the back end, the number of words, how the last one is matched,
    whether communities and kinds are given, the structure of `exclude` and `only`) with
    parameters in place of every value, and run with this search's values: building it
    anew cost more than SQLite's own work on the window (see `_statement()`)."""
    found = query_words(query)
    if not found or community_ids == [] or kinds == [] or limit <= 0:
        return Hits()
    window = rank_window()
    sqlite = _is_sqlite()
    restrictions = {name: (chosen, chosen._generate_cache_key())
                    for name, chosen in (("exclude", exclude), ("only", only))
                    if chosen is not None}
    mode = _sqlite_mode(found) if sqlite else ("prefix" if ends_in_prefix(found) else "word")
    shape = (sqlite, len(found), mode, community_ids is None, kinds is None,
             tuple((name, key.key if key is not None else None)
                   for name, (_, key) in restrictions.items()),
             # the constants the statement holds (tests change them)
             MAX_PREFIX_TERMS, PROBE_DOCUMENTS, PROBE_DENSE)
    if any(key is None for _, key in restrictions.values()):  # not cacheable: build anew
        built = _build(shape, restrictions)
    else:
        built = _statements.get(shape)
        if built is None:
            if len(_statements) >= _STATEMENTS_MAX:
                _statements.clear()
            built = _statements[shape] = _build(shape, restrictions)
    statement, restriction_params = built
    params: dict[str, object] = {"window": window, "window_plus_one": window + 1,
                                 "limit": limit, "offset": max(offset, 0)}
    if community_ids is not None:
        params["community_ids"] = list(community_ids)
    if kinds is not None:
        params["kinds"] = list(kinds)
    if sqlite:
        params.update(_sqlite_params(found, community_ids, kinds))
    else:
        params["tsquery"] = pg_tsquery(found)
    # `exclude` and `only` as this call gives them: their values, in the order of their
    # cache keys, go to the parameters of the ones the statement was built with (the way
    # SQLAlchemy itself runs a cached compiled statement for an equal one).
    for name, (_, key) in restrictions.items():
        built_with = restriction_params.get(name)
        if built_with is not None:
            for old, new in zip(built_with, key.bindparams, strict=True):
                params[old.key] = new.effective_value
    rows = db.session.execute(statement, params).all()
    hits = Hits(SearchHit(kind=r.kind, object_id=r.object_id, community_id=r.community_id,
                          title=r.title, rank=float(r.score)) for r in rows)
    if rows and rows[0].matched > window:
        hits.window = window
    return hits


def _build(shape: tuple, restrictions: dict[str, tuple]) -> tuple:
    """The search statement of a shape (see `search()`), and the bound parameters (in the
    order of their cache keys) of the `exclude` and `only` it was built with, by name.
    `restrictions`: name → (the select, its cache key or None)."""
    sqlite, words, mode, any_community, any_kind = shape[:5]
    exclude = restrictions.get("exclude", (None, None))[0]
    only = restrictions.get("only", (None, None))[0]
    scope = []
    if not any_community:
        scope.append(SearchDocument.community_id.in_(
            bindparam("community_ids", expanding=True, type_=Integer)))
    if not any_kind:
        scope.append(SearchDocument.kind.in_(bindparam("kinds", expanding=True, type_=String)))

    def admitted(object_id: ColumnElement[int], source=SearchDocument.__table__) -> list:
        """The conditions of `exclude` and `only` on the object id of a document read from
        `source` (the table, or a subquery of it)."""
        conditions = []
        if exclude is not None:
            conditions.append(object_id.not_in(exclude))
        if only is not None:
            # Tested row by row (OFFSET 0 keeps PostgreSQL from making it a join, which
            # would read all of `only`): a page of results tests only what it reads.
            conditions.append(only.where(only.selected_columns[0] == object_id)
                              .correlate(source).offset(0).exists())
        return conditions

    if sqlite:
        latest = _sqlite_latest(words, mode, scope, admitted)
        score = latest.c.score
    else:
        latest = _postgres_latest(scope, admitted)
        score = func.ts_rank(latest.c.tsv, _pg_query())
    # Ranked: the window's matches (the one more read only tells that there are more).
    ranked = select(
        latest.c.id, latest.c.kind, latest.c.object_id, latest.c.community_id, latest.c.title,
        score.label("score"),
        func.count().over().label("matched"),
        func.row_number().over(order_by=latest.c.id.desc()).label("age"),
    ).subquery("ranked")
    statement = (
        select(ranked).where(ranked.c.age <= bindparam("window", type_=Integer))
        .order_by(ranked.c.score.desc(), ranked.c.id.desc())
        .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
    )
    return statement, {name: key.bindparams for name, (_, key) in restrictions.items()
                       if key is not None}


# The statements by shape (see `search()`); a handful in practice.
_statements: dict[tuple, tuple] = {}
_STATEMENTS_MAX = 256
