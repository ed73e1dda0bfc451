"""listings, demand orders and api tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 00:06:25.767430

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Trigram indexes make the diacritic-free substring search fast.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('demand_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('distributor_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('reserved_quantity', sa.BigInteger(), nullable=False),
    sa.Column('max_unit_price', sa.BigInteger(), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('delivery_province_code', sa.String(length=40), nullable=False),
    sa.Column('min_stars', sa.SmallInteger(), nullable=False),
    sa.Column('allow_split', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('open', 'partially_matched', 'matched', 'fulfilled', 'cancelled', 'expired', name='order_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('max_unit_price >= 0', name=op.f('ck_demand_orders_price_not_negative')),
    sa.CheckConstraint('min_stars IN (0, 3, 4, 5)', name=op.f('ck_demand_orders_stars_known')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_demand_orders_quantity_positive')),
    sa.CheckConstraint('reserved_quantity >= 0 AND reserved_quantity <= quantity', name=op.f('ck_demand_orders_reserved_within_quantity')),
    sa.ForeignKeyConstraint(['distributor_id'], ['users.id'], name=op.f('fk_demand_orders_distributor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_orders'))
    )
    with op.batch_alter_table('demand_orders', schema=None) as batch_op:
        batch_op.create_index('ix_demand_orders_board_category_price', ['status', 'category', 'max_unit_price'], unique=False)
        batch_op.create_index('ix_demand_orders_board_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_demand_orders_board_needed_by', ['status', 'needed_by'], unique=False)
        batch_op.create_index('ix_demand_orders_board_province_price', ['status', 'delivery_province_code', 'max_unit_price'], unique=False)
        batch_op.create_index(batch_op.f('ix_demand_orders_distributor_id'), ['distributor_id'], unique=False)
        batch_op.create_index('ix_demand_orders_search_text_trgm', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})

    op.create_table('listings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('producer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('reserved_quantity', sa.BigInteger(), nullable=False),
    sa.Column('min_order_quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('available_until', sa.Date(), nullable=True),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('traceability_code', sa.String(length=64), nullable=True),
    sa.Column('raw_material_area_code', sa.String(length=64), nullable=True),
    sa.Column('province_code', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('draft', 'active', 'paused', 'sold_out', 'expired', 'removed', name='listing_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('available_until IS NULL OR available_from IS NULL OR available_until >= available_from', name=op.f('ck_listings_dates_ordered')),
    sa.CheckConstraint('min_order_quantity >= 1', name=op.f('ck_listings_min_order_positive')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_listings_quantity_not_negative')),
    sa.CheckConstraint('reserved_quantity >= 0 AND reserved_quantity <= quantity', name=op.f('ck_listings_reserved_within_quantity')),
    sa.CheckConstraint('stars IN (0, 3, 4, 5)', name=op.f('ck_listings_stars_known')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_listings_price_not_negative')),
    sa.ForeignKeyConstraint(['producer_id'], ['users.id'], name=op.f('fk_listings_producer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listings'))
    )
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.create_index('ix_listings_browse_category_price', ['status', 'category', 'unit_price'], unique=False)
        batch_op.create_index('ix_listings_browse_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_listings_browse_price', ['status', 'unit_price'], unique=False)
        batch_op.create_index('ix_listings_browse_province_price', ['status', 'province_code', 'unit_price'], unique=False)
        batch_op.create_index(batch_op.f('ix_listings_producer_id'), ['producer_id'], unique=False)
        batch_op.create_index('ix_listings_search_text_trgm', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})

    op.create_table('listing_certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_certifications_listing_id_listings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_certifications')),
    sa.UniqueConstraint('listing_id', 'code', name='uq_listing_certifications_listing_code')
    )
    with op.batch_alter_table('listing_certifications', schema=None) as batch_op:
        batch_op.create_index('ix_listing_certifications_code_listing', ['code', 'listing_id', 'expires_on'], unique=False)

    op.create_table('order_required_certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['demand_orders.id'], name=op.f('fk_order_required_certifications_order_id_demand_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_required_certifications')),
    sa.UniqueConstraint('order_id', 'code', name='uq_order_required_certifications_order_code')
    )
    with op.batch_alter_table('order_required_certifications', schema=None) as batch_op:
        batch_op.create_index('ix_order_required_certifications_code_order', ['code', 'order_id'], unique=False)



def downgrade():
    with op.batch_alter_table('order_required_certifications', schema=None) as batch_op:
        batch_op.drop_index('ix_order_required_certifications_code_order')

    op.drop_table('order_required_certifications')
    with op.batch_alter_table('listing_certifications', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_certifications_code_listing')

    op.drop_table('listing_certifications')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_search_text_trgm', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_listings_producer_id'))
        batch_op.drop_index('ix_listings_browse_province_price')
        batch_op.drop_index('ix_listings_browse_price')
        batch_op.drop_index('ix_listings_browse_created')
        batch_op.drop_index('ix_listings_browse_category_price')

    op.drop_table('listings')
    with op.batch_alter_table('demand_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_demand_orders_search_text_trgm', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_demand_orders_distributor_id'))
        batch_op.drop_index('ix_demand_orders_board_province_price')
        batch_op.drop_index('ix_demand_orders_board_needed_by')
        batch_op.drop_index('ix_demand_orders_board_created')
        batch_op.drop_index('ix_demand_orders_board_category_price')

    op.drop_table('demand_orders')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
