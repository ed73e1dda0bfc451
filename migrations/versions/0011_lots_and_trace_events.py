"""lots and trace events: a listing's GTIN, its lots, the lots a shipment
carried, and the lots' EPCIS 2.0 events (append-only)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 21:50:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database
from marketplace.models.lot import APPEND_ONLY_POSTGRESQL, APPEND_ONLY_SQLITE


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gtin', sa.String(length=14), nullable=True))
        batch_op.create_index(batch_op.f('ix_listings_gtin'), ['gtin'], unique=False)

    op.create_table('lots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('link_code', sa.String(length=16), nullable=False),
        sa.Column('produced_on', sa.Date(), nullable=False),
        sa.Column('best_before', sa.Date(), nullable=True),
        sa.Column('quantity', sa.BigInteger(), nullable=False),
        sa.Column('raw_material_area_code', sa.String(length=64), nullable=True),
        sa.Column('stages', sa.Text(), nullable=False),
        sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_lots_quantity_positive')),
        sa.CheckConstraint('best_before IS NULL OR best_before >= produced_on', name=op.f('ck_lots_dates_ordered')),
        sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_lots_listing_id_listings'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['producer_id'], ['users.id'], name=op.f('fk_lots_producer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lots')),
        sa.UniqueConstraint('producer_id', 'code', name='uq_lots_producer_code'),
        sa.UniqueConstraint('link_code', name=op.f('uq_lots_link_code')),
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lots_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lots_producer_id'), ['producer_id'], unique=False)

    op.create_table('shipment_lots',
        sa.Column('shipment_id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_shipment_lots_lot_id_lots'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                                name=op.f('fk_shipment_lots_shipment_id_shipments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('shipment_id', 'lot_id', name=op.f('pk_shipment_lots')),
    )
    with op.batch_alter_table('shipment_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_lots_lot_id'), ['lot_id'], unique=False)

    op.create_table('trace_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=60), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('biz_step', sa.String(length=20), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('event_time', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=True),
        sa.Column('shipment_id', sa.Integer(), nullable=True),
        sa.Column('quantity', sa.BigInteger(), nullable=True),
        sa.Column('unit', sa.String(length=20), nullable=True),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_trace_events_lot_id_lots')),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name=op.f('fk_trace_events_match_id_matches')),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                                name=op.f('fk_trace_events_shipment_id_shipments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trace_events')),
        sa.UniqueConstraint('event_id', name=op.f('uq_trace_events_event_id')),
    )
    with op.batch_alter_table('trace_events', schema=None) as batch_op:
        batch_op.create_index('ix_trace_events_lot_time', ['lot_id', 'event_time'], unique=False)
    statements = APPEND_ONLY_POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else APPEND_ONLY_SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER trace_events_no_truncate ON trace_events')
        op.execute('DROP TRIGGER trace_events_no_change ON trace_events')
        op.execute('DROP FUNCTION trace_events_append_only()')
    else:
        op.execute('DROP TRIGGER trace_events_no_update')
        op.execute('DROP TRIGGER trace_events_no_delete')
    op.drop_table('trace_events')
    op.drop_table('shipment_lots')
    op.drop_table('lots')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listings_gtin'))
        batch_op.drop_column('gtin')
