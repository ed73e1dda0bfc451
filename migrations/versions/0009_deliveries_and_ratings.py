"""deliveries and ratings: shipments, the shipped status, partial receipt,
listing revenue, and the parties' ratings of each other

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 18:10:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None

OLD_STATUSES = ('proposed', 'approved', 'confirmed', 'fulfilled', 'rejected', 'declined', 'expired', 'cancelled')
NEW_STATUSES = ('proposed', 'approved', 'confirmed', 'shipped', 'fulfilled', 'rejected', 'declined', 'expired',
                'cancelled')
OLD_LIVE = "status IN ('proposed', 'approved', 'confirmed')"
NEW_LIVE = "status IN ('proposed', 'approved', 'confirmed', 'shipped')"


def _status(values):
    return sa.Enum(*values, name='match_status', native_enum=False, create_constraint=True, length=20)


def _statuses(old, new, old_live, new_live):
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('uq_matches_live_pair')
        if op.get_bind().dialect.name == 'postgresql':
            batch_op.drop_constraint(op.f('ck_matches_match_status'), type_='check')
            batch_op.create_check_constraint(op.f('ck_matches_match_status'),
                                             sa.column('status').in_(new))
        else:
            batch_op.alter_column('status', existing_type=_status(old), type_=_status(new),
                                  existing_nullable=False)
        batch_op.create_index('uq_matches_live_pair', ['listing_id', 'order_id'], unique=True,
                              postgresql_where=sa.text(new_live), sqlite_where=sa.text(new_live))


def upgrade():
    _statuses(OLD_STATUSES, NEW_STATUSES, OLD_LIVE, NEW_LIVE)
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipped_quantity', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipped_at', marketplace.core.database.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('received_quantity', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('on_time', sa.Boolean(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_matches_shipped_within_quantity'),
                                         'shipped_quantity >= 0 AND shipped_quantity <= quantity')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revenue', sa.BigInteger(), server_default='0', nullable=False))

    op.create_table('shipments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.BigInteger(), nullable=False),
        sa.Column('shipped_on', sa.Date(), nullable=False),
        sa.Column('carrier', sa.String(length=120), nullable=True),
        sa.Column('tracking', sa.String(length=300), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_shipments_quantity_positive')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shipments_created_by_id_users')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_shipments_match_id_matches'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_match_id'), ['match_id'], unique=False)

    op.create_table('ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('stars', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('hidden_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('hidden_reason', sa.String(length=500), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_ratings_stars_in_range')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ratings_author_id_users')),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_ratings_hidden_by_id_users')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_ratings_match_id_matches'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_ratings_subject_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
        sa.UniqueConstraint('match_id', 'author_id', name='uq_ratings_match_author'),
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_match_id'), ['match_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_subject_id'), ['subject_id'], unique=False)


def downgrade():
    op.drop_table('ratings')
    op.drop_table('shipments')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('revenue')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_matches_shipped_within_quantity'), type_='check')
        batch_op.drop_column('on_time')
        batch_op.drop_column('received_quantity')
        batch_op.drop_column('shipped_at')
        batch_op.drop_column('shipped_quantity')
    _statuses(NEW_STATUSES, OLD_STATUSES, NEW_LIVE, OLD_LIVE)
