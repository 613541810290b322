"""login sessions of their own, failures by name and address, API token expiry

Revision ID: 0009_login_sessions
Revises: 0008_witnessed_dates

Each login gets its own token (login_sessions), so that logging out, a password change and
deactivation end every session and remember-me cookie of the user. Failed logins are counted by
the name typed and the client address (login_failures) instead of on the account, so a lock holds
against the guesser and not against the owner; the account's own counters go. API tokens get an
optional expiry. Existing sessions and remember cookies carried the bare user id and stop working:
everybody signs in once more.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_login_sessions'
down_revision = '0008_witnessed_dates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash')),
    )
    op.create_index(op.f('ix_login_sessions_user_id'), 'login_sessions', ['user_id'])
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    op.create_index(op.f('ix_login_failures_username'), 'login_failures', ['username'])
    op.create_index(op.f('ix_login_failures_address'), 'login_failures', ['address'])
    op.create_index(op.f('ix_login_failures_at'), 'login_failures', ['at'])
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('ck_users_failed_logins'), type_='check')
        batch.drop_column('failed_logins')
        batch.drop_column('last_failed_at')
        batch.drop_column('locked_until')
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('last_failed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch.create_check_constraint(op.f('ck_users_failed_logins'), 'failed_logins >= 0')
    op.drop_table('login_failures')
    op.drop_table('login_sessions')
