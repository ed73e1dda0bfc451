"""a message thread per match

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:40:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('match_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_role', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_match_messages_author_id_users')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_match_messages_hidden_by_id_users')),
    sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_match_messages_match_id_matches'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_messages'))
    )
    with op.batch_alter_table('match_messages', schema=None) as batch_op:
        batch_op.create_index('ix_match_messages_match_id_id', ['match_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('match_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_match_messages_match_id_id')
    op.drop_table('match_messages')
