"""certificate scans: profiles.certificate_scan and certificate_scan_at

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_scan', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('certificate_scan_at', marketplace.core.database.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_column('certificate_scan_at')
        batch_op.drop_column('certificate_scan')
