"""listing photos

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 22:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('listing_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_photos_listing_id_listings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_photos'))
    )
    with op.batch_alter_table('listing_photos', schema=None) as batch_op:
        batch_op.create_index('ix_listing_photos_listing_position', ['listing_id', 'position'], unique=False)


def downgrade():
    with op.batch_alter_table('listing_photos', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_photos_listing_position')
    op.drop_table('listing_photos')
