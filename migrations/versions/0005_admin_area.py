"""admin area: producer verification, suspension time, takedowns, the
auto-approval policy, and an append-only audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:54:47.368245

"""
from alembic import op
import sqlalchemy as sa

import marketplace.core.database


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


APPEND_ONLY_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_logs is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER audit_logs_no_change BEFORE UPDATE OR DELETE ON audit_logs "
    "FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only()",
    "CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only()",
)
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs "
    "BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only'); END",
    "CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs "
    "BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only'); END",
)


def upgrade():
    op.create_table('approval_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('min_score', sa.Float(), nullable=False),
    sa.Column('require_verified_producer', sa.Boolean(), nullable=False),
    sa.Column('require_good_standing', sa.Boolean(), nullable=False),
    sa.Column('updated_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_approval_policies_single_row')),
    sa.CheckConstraint('min_score >= 0 AND min_score <= 1', name=op.f('ck_approval_policies_min_score_fraction')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_approval_policies_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_policies'))
    )
    with op.batch_alter_table('demand_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takedown_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('taken_down_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('taken_down_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_demand_orders_taken_down_by_id_users'), 'users', ['taken_down_by_id'], ['id'])

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('takedown_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('taken_down_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('taken_down_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_listings_taken_down_by_id_users'), 'users', ['taken_down_by_id'], ['id'])

    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('verified_certificate_no', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('search_name', sa.String(length=120), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_profiles_verified_by_id_users'), 'users', ['verified_by_id'], ['id'])
    # Folded in Python, as the model does: SQLite has no unaccent.
    from marketplace.geo.lookup import fold
    bind = op.get_bind()
    for profile_id, name in bind.execute(sa.text('SELECT id, display_name FROM profiles')).all():
        bind.execute(sa.text('UPDATE profiles SET search_name = :n WHERE id = :i'),
                     {'n': fold(name or '')[:120], 'i': profile_id})

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', marketplace.core.database.UTCDateTime(timezone=True), nullable=True))

    # The audit log refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE)
    # whichever code path sends them; the same as marketplace/core/audit.py.
    statements = APPEND_ONLY_POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else APPEND_ONLY_SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_logs_no_truncate ON audit_logs')
        op.execute('DROP TRIGGER audit_logs_no_change ON audit_logs')
        op.execute('DROP FUNCTION audit_logs_append_only()')
    else:
        op.execute('DROP TRIGGER audit_logs_no_update')
        op.execute('DROP TRIGGER audit_logs_no_delete')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('profiles', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_profiles_verified_by_id_users'), type_='foreignkey')
        batch_op.drop_column('search_name')
        batch_op.drop_column('verified_certificate_no')
        batch_op.drop_column('verified_by_id')

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_listings_taken_down_by_id_users'), type_='foreignkey')
        batch_op.drop_column('taken_down_by_id')
        batch_op.drop_column('taken_down_at')
        batch_op.drop_column('takedown_reason')

    with op.batch_alter_table('demand_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_demand_orders_taken_down_by_id_users'), type_='foreignkey')
        batch_op.drop_column('taken_down_by_id')
        batch_op.drop_column('taken_down_at')
        batch_op.drop_column('takedown_reason')

    op.drop_table('approval_policies')
