"""deal room: counter-offers, direct offers (match source), agreed delivery
dates, the first terms kept once negotiated, and contact details on profiles

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:40:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deliver_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('source', sa.Enum('run', 'offer', name='match_source', native_enum=False,
                                                        create_constraint=True, length=20),
                                      server_default='run', nullable=False))
        batch_op.add_column(sa.Column('proposed_terms', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        # The parties now see their proposals under review too.
        batch_op.drop_index('ix_matches_producer_seen')
        batch_op.drop_index('ix_matches_distributor_seen')
        batch_op.create_index('ix_matches_producer_created', ['producer_id', 'created_at'], unique=False)
        batch_op.create_index('ix_matches_distributor_created', ['distributor_id', 'created_at'], unique=False)

    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('tax_code', sa.String(length=20), nullable=True))

    op.create_table('offers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('by_party', sa.String(length=20), nullable=False),
        sa.Column('by_user_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.BigInteger(), nullable=False),
        sa.Column('unit_price', sa.BigInteger(), nullable=False),
        sa.Column('deliver_by', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('status', sa.Enum('open', 'accepted', 'declined', 'countered', 'closed', name='offer_status',
                                    native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('answered_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_offers_quantity_positive')),
        sa.CheckConstraint('unit_price > 0', name=op.f('ck_offers_unit_price_positive')),
        sa.CheckConstraint('round BETWEEN 1 AND 6', name=op.f('ck_offers_round_in_range')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_offers_answered_by_id_users')),
        sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_offers_by_user_id_users')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_offers_match_id_matches'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
        sa.UniqueConstraint('match_id', 'round', name='uq_offers_match_round'),
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_match_id'), ['match_id'], unique=False)
        batch_op.create_index('uq_offers_open_per_match', ['match_id'], unique=True,
                              postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_table('offers')
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('tax_code')
        batch_op.drop_column('address')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('ix_matches_distributor_created')
        batch_op.drop_index('ix_matches_producer_created')
        batch_op.create_index('ix_matches_distributor_seen', ['distributor_id', 'created_at'], unique=False,
                              postgresql_where=sa.text('approved_at IS NOT NULL'),
                              sqlite_where=sa.text('approved_at IS NOT NULL'))
        batch_op.create_index('ix_matches_producer_seen', ['producer_id', 'created_at'], unique=False,
                              postgresql_where=sa.text('approved_at IS NOT NULL'),
                              sqlite_where=sa.text('approved_at IS NOT NULL'))
        batch_op.drop_column('note')
        batch_op.drop_column('proposed_terms')
        batch_op.drop_column('source')
        batch_op.drop_column('deliver_by')
