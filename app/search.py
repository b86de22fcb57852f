"""Full-text search: the one service the forum and the materials bank use.

Every searchable object (a topic, a post, a material, ...) has one `SearchDocument` row, written
only through `index_document()` and `remove_document()`; `search()` finds them by words, in
Russian, so that «урок» finds «уроки» and «уроков». Two back ends answer the same API:

- SQLite (the embedded default): an FTS5 table `search_fts` (title, body) whose rowid is
  `search_documents.id`. It holds the *stemmed* text: Python stems with the Snowball stemmers
  (Russian for Cyrillic words, English for Latin ones), so the index and the queries agree.
  Ranked by bm25, a match in the title counting more.
- PostgreSQL: a stored generated column `tsv` (`to_tsvector('russian', ...)` of the title,
  weighted A, and the body, weighted B) with a GIN index; ranked by ts_rank over that column,
  so ranking many matches does not parse their text again.

Both back ends read the query the same way: words only (letters and digits; every operator
character is a separator), stop words dropped, ё folded to е, all words must match, and the
last word may be the beginning of a word (search as you type). So no query can raise.

Schema: `db.create_all()` builds the FTS table (SQLite) or the tsv column and
its GIN index (PostgreSQL) through
the DDL events at the end of this module; an Alembic migration calls `schema_sql()` (see its
docstring) after `op.create_table("search_documents", ...)`. Autogenerate ignores these
objects through `alembic_include_name()` / `alembic_include_object()` (migrations/env.py).

The functions here flush and never commit: the view that changes the object commits once.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import snowballstemmer
from sqlalchemy import (
    DDL,
    ForeignKey,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    column,
    delete,
    event,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.mixins import utcnow

FTS_TABLE = "search_fts"
PG_INDEX = "ix_search_documents_tsv"
# PostgreSQL keeps the weighted vector in a stored generated column: ranking many matches then
# reads it instead of parsing every matching document again (1.5 s → tens of ms at 100,000).
PG_TSV_COLUMN = "tsv"

# Longer queries are cut: search-box input, not documents.
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
# PostgreSQL refuses a tsvector over 1 MB; a body is indexed up to this many characters.
MAX_INDEXED_CHARS = 200_000

# bm25 weights of the FTS columns (title, body); the PostgreSQL ranking weighs the title 'A'
# (1.0) against the body 'B' (0.4).
BM25_WEIGHTS = (2.5, 1.0)


class SearchDocument(db.Model):
    """What the search knows of one object: its kind and id, its community, its text."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("kind", "object_id"),)

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


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every stem quoted (so no word is an operator), all required,
    the last one a prefix: `"урок" "методическ" "школ"*`."""
    stems = [f'"{stem(w)}"' for w in terms]
    return " ".join(stems) + "*"


def pg_tsquery(terms: list[str]) -> str:
    """A to_tsquery('russian', ...) text: `урок & методических & школ:*`. The words hold
    letters and digits only, so no operator can get in; PostgreSQL stems them itself."""
    return " & ".join(terms) + ":*"


# --- schema objects outside the metadata ---------------------------------------------------

# The document vector: the GIN index and the query's WHERE must spell it the same way.
# For ts_rank only (computed for the matching rows): the title weighs more than the body.
PG_WEIGHTED_VECTOR = (
    "setweight(to_tsvector('russian', coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('russian', coalesce(body, '')), 'B')"
)


def create_sqlite_fts_sql() -> list[str]:
    """SQLite: the FTS5 table of stemmed text, and a trigger that drops a document's row when
    the document goes (also by ON DELETE CASCADE from its community). Inserts and updates are
    the service's: the stemming happens in Python."""
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON search_documents "
        f"BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
    ]


def drop_sqlite_fts_sql() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete", f"DROP TABLE IF EXISTS {FTS_TABLE}"]


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
            sql_text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"),
            {"id": doc.id, "title": stem_text(title), "body": stem_text(body)},
        )
    return doc


def remove_document(kind: str, object_id: int) -> None:
    """Forget one object (the SQLite trigger drops its FTS row). Flushes."""
    db.session.execute(
        delete(SearchDocument).where(SearchDocument.kind == kind,
                                     SearchDocument.object_id == object_id),
    )
    db.session.flush()


def _sqlite_select(terms: list[str]) -> Select:
    fts = table(FTS_TABLE, column("rowid"))
    fts_ref = literal_column(FTS_TABLE)
    weights = [literal_column(repr(float(w))) for w in BM25_WEIGHTS]
    score = (-func.bm25(fts_ref, *weights)).label("score")  # bm25 is lower for better
    return (
        select(SearchDocument.kind, SearchDocument.object_id, SearchDocument.community_id,
               SearchDocument.title, score)
        .select_from(fts)
        .join(SearchDocument, SearchDocument.id == fts.c.rowid)
        .where(fts_ref.op("MATCH")(bindparam("match", fts5_match(terms))))
        .order_by(score.desc(), SearchDocument.id.desc())
    )


def _postgres_select(terms: list[str]) -> Select:
    tsquery = func.to_tsquery(literal_column("'russian'"),
                              bindparam("tsquery", pg_tsquery(terms)))
    vector = literal_column(f"search_documents.{PG_TSV_COLUMN}")
    score = func.ts_rank(vector, tsquery).label("score")
    return (
        select(SearchDocument.kind, SearchDocument.object_id, SearchDocument.community_id,
               SearchDocument.title, score)
        .where(vector.op("@@")(tsquery))
        .order_by(score.desc(), SearchDocument.id.desc())
    )


def search(query: str, *, community_ids: list[int] | None = None,
           kinds: list[str] | None = None, limit: int = 20, offset: int = 0,
           exclude: Select | None = None) -> list[SearchHit]:
    """Documents holding every word of `query` (the last may be a word's beginning), best
    first, in `community_ids` and of `kinds` (None: any), but for the object ids `exclude`
    selects (what the reader may not see, e.g. the posts of other working groups' sections;
    give it with a single kind). One query; none for an empty one."""
    found = query_words(query)
    if not found or community_ids == [] or kinds == [] or limit <= 0:
        return []
    stmt = _sqlite_select(found) if _is_sqlite() else _postgres_select(found)
    if community_ids is not None:
        stmt = stmt.where(SearchDocument.community_id.in_(community_ids))
    if kinds is not None:
        stmt = stmt.where(SearchDocument.kind.in_(kinds))
    if exclude is not None:
        stmt = stmt.where(SearchDocument.object_id.not_in(exclude))
    rows = db.session.execute(stmt.limit(limit).offset(max(offset, 0)))
    return [SearchHit(kind=r.kind, object_id=r.object_id, community_id=r.community_id,
                      title=r.title, rank=float(r.score)) for r in rows]
