"""Memberships by community and role: the community page's leaders among 30,000 members

Revision ID: 5b1e0c7d2a41
Revises: cf7eec48c879
Create Date: 2026-12-04 15:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a41'
down_revision = 'cf7eec48c879'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('ix_memberships_community_role', ['community_id', 'role'], unique=False)


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_community_role')
