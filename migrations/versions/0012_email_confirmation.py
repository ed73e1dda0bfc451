"""e-mail confirmation: users.email_confirmed_at; accounts made before are confirmed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 22:00:00

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', marketplace.core.database.UTCDateTime(timezone=True),
                                      nullable=True))
    # Accounts that existed before confirmation was asked for count as confirmed.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
