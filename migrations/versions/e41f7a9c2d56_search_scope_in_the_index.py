"""search: the scope (kind, community) in the index, for the ranking window

app/search.py ranks only the newest matches of a common word, read newest first within the
search's communities and kinds, so that the index, not a filter after it, must know the
scope:

- SQLite: the FTS5 table gets a `scope` column (`kpost c7 kpostc7`), filled from
  search_documents (FTS5 cannot add a column: the table is built again, which takes about
  half a minute at a million documents), and the fts5vocab table `search_fts_terms` of its
  terms.
- Both: the index (kind, id, community_id) on search_documents, which PostgreSQL reads
  backwards for a kind's newest documents in some communities.

Written out here so that this migration does not change when the app does.

Revision ID: e41f7a9c2d56
Revises: 5b2e9c1f7a40
Create Date: 2026-12-04 15:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e41f7a9c2d56'
down_revision = '5b2e9c1f7a40'
branch_labels = None
depends_on = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'"
DELETE_TRIGGER = (
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_documents "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END"
)


def _rebuild_fts(columns: str, select_sql: str) -> None:
    op.execute("DROP TABLE IF EXISTS search_fts_terms")
    op.execute("DROP TRIGGER IF EXISTS search_fts_delete")
    op.execute(f"CREATE VIRTUAL TABLE search_fts_new USING fts5({columns}, {TOKENIZE})")
    op.execute(select_sql)
    op.execute("DROP TABLE search_fts")
    op.execute("ALTER TABLE search_fts_new RENAME TO search_fts")
    op.execute(DELETE_TRIGGER)


def upgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_newest', ['kind', 'id', 'community_id'],
                              unique=False)

    if op.get_bind().dialect.name == "sqlite":
        _rebuild_fts(
            "title, body, scope",
            "INSERT INTO search_fts_new (rowid, title, body, scope) "
            "SELECT f.rowid, f.title, f.body, "
            "'k' || d.kind || ' c' || d.community_id || ' k' || d.kind || 'c' || d.community_id "
            "FROM search_fts AS f JOIN search_documents AS d ON d.id = f.rowid",
        )
        op.execute("CREATE VIRTUAL TABLE search_fts_terms USING fts5vocab(search_fts, 'instance')")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_fts(
            "title, body",
            "INSERT INTO search_fts_new (rowid, title, body) "
            "SELECT rowid, title, body FROM search_fts",
        )

    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_newest')
