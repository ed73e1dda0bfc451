"""admin scoping: admin_provinces (an admin with no row oversees the whole country)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_provinces',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_admin_provinces_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'province_code', name=op.f('pk_admin_provinces'))
    )


def downgrade():
    op.drop_table('admin_provinces')
