"""matches, match runs, audit log and outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 01:44:14.378526

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task', sa.String(length=80), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('queue', sa.String(length=40), nullable=True),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_unpublished', ['published_at', 'run_after'], unique=False)
        batch_op.create_index('uq_outbox_messages_pending_key', ['dedupe_key'], unique=True, postgresql_where=sa.text('consumed_at IS NULL'), sqlite_where=sa.text('consumed_at IS NULL'))

    op.create_table('audit_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_logs_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_logs'))
    )
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.create_index('ix_audit_logs_action_created', ['action', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_logs_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_logs_created', ['created_at'], unique=False)
        batch_op.create_index('ix_audit_logs_target', ['target_type', 'target_id'], unique=False)

    op.create_table('match_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.Enum('schedule', 'change', 'admin', 'cli', name='run_trigger', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('request_key', sa.String(length=80), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='run_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('parts_total', sa.Integer(), nullable=False),
    sa.Column('parts_done', sa.Integer(), nullable=False),
    sa.Column('listings', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('arcs', sa.BigInteger(), nullable=False),
    sa.Column('pruned', sa.Boolean(), nullable=False),
    sa.Column('proven_optimal', sa.Boolean(), nullable=False),
    sa.Column('matches', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('total_score', sa.Float(), nullable=False),
    sa.Column('stale', sa.Integer(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_match_runs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_runs')),
    sa.UniqueConstraint('request_key', name=op.f('uq_match_runs_request_key'))
    )
    with op.batch_alter_table('match_runs', schema=None) as batch_op:
        batch_op.create_index('ix_match_runs_created', ['created_at'], unique=False)

    op.create_table('match_run_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='run_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('listings', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('arcs', sa.BigInteger(), nullable=False),
    sa.Column('pruned', sa.Boolean(), nullable=False),
    sa.Column('proven_optimal', sa.Boolean(), nullable=False),
    sa.Column('matches', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('total_score', sa.Float(), nullable=False),
    sa.Column('stale', sa.Integer(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('worker', sa.String(length=120), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['match_runs.id'], name=op.f('fk_match_run_parts_run_id_match_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_run_parts')),
    sa.UniqueConstraint('run_id', 'category', name='uq_match_run_parts_run_category')
    )
    op.create_table('matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('distributor_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'approved', 'confirmed', 'fulfilled', 'rejected', 'declined', 'expired', 'cancelled', name='match_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('listing_revision', sa.Integer(), nullable=False),
    sa.Column('order_revision', sa.Integer(), nullable=False),
    sa.Column('producer_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('distributor_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_policy', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fulfilled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_matches_quantity_positive')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_matches_approved_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_matches_closed_by_id_users')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_matches_listing_id_listings')),
    sa.ForeignKeyConstraint(['order_id'], ['demand_orders.id'], name=op.f('fk_matches_order_id_demand_orders')),
    sa.ForeignKeyConstraint(['run_id'], ['match_runs.id'], name=op.f('fk_matches_run_id_match_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matches'))
    )
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.create_index('ix_matches_distributor_seen', ['distributor_id', 'created_at'], unique=False, postgresql_where=sa.text('approved_at IS NOT NULL'), sqlite_where=sa.text('approved_at IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_matches_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matches_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_matches_producer_seen', ['producer_id', 'created_at'], unique=False, postgresql_where=sa.text('approved_at IS NOT NULL'), sqlite_where=sa.text('approved_at IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_matches_run_id'), ['run_id'], unique=False)
        batch_op.create_index('ix_matches_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_matches_status_expires', ['status', 'expires_at'], unique=False)
        batch_op.create_index('uq_matches_live_pair', ['listing_id', 'order_id'], unique=True, postgresql_where=sa.text("status IN ('proposed', 'approved', 'confirmed')"), sqlite_where=sa.text("status IN ('proposed', 'approved', 'confirmed')"))

    with op.batch_alter_table('demand_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fulfilled_quantity', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_demand_orders_filled_within_quantity'),
            'fulfilled_quantity >= 0 AND reserved_quantity + fulfilled_quantity <= quantity')

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sold_quantity', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_listings_sold_not_negative'), 'sold_quantity >= 0')



def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_listings_sold_not_negative'), type_='check')
        batch_op.drop_column('sold_quantity')

    with op.batch_alter_table('demand_orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_demand_orders_filled_within_quantity'), type_='check')
        batch_op.drop_column('fulfilled_quantity')

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index('uq_matches_live_pair', postgresql_where=sa.text("status IN ('proposed', 'approved', 'confirmed')"), sqlite_where=sa.text("status IN ('proposed', 'approved', 'confirmed')"))
        batch_op.drop_index('ix_matches_status_expires')
        batch_op.drop_index('ix_matches_status_created')
        batch_op.drop_index(batch_op.f('ix_matches_run_id'))
        batch_op.drop_index('ix_matches_producer_seen', postgresql_where=sa.text('approved_at IS NOT NULL'), sqlite_where=sa.text('approved_at IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_matches_order_id'))
        batch_op.drop_index(batch_op.f('ix_matches_listing_id'))
        batch_op.drop_index('ix_matches_distributor_seen', postgresql_where=sa.text('approved_at IS NOT NULL'), sqlite_where=sa.text('approved_at IS NOT NULL'))

    op.drop_table('matches')
    op.drop_table('match_run_parts')
    with op.batch_alter_table('match_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_match_runs_created')

    op.drop_table('match_runs')
    with op.batch_alter_table('audit_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_logs_target')
        batch_op.drop_index('ix_audit_logs_created')
        batch_op.drop_index(batch_op.f('ix_audit_logs_actor_id'))
        batch_op.drop_index('ix_audit_logs_action_created')

    op.drop_table('audit_logs')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('uq_outbox_messages_pending_key', postgresql_where=sa.text('consumed_at IS NULL'), sqlite_where=sa.text('consumed_at IS NULL'))
        batch_op.drop_index('ix_outbox_messages_unpublished')

    op.drop_table('outbox_messages')
