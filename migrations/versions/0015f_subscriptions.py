"""subscriptions by e-mail to a city, an industry or an enterprise

Revision ID: 0015f_subscriptions
Revises: 0014f_password_resets

Double opt-in (confirmed_at), ended by the link in every mail (unsubscribed_at); one live
subscription per address and scope; the weekly digest remembers the end of its last window.
"""
from alembic import op
import sqlalchemy as sa

revision = '0015f_subscriptions'
down_revision = '0014f_password_resets'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('value', sa.String(length=18), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirm_sent_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('unsubscribed_at', sa.DateTime(), nullable=True),
        sa.Column('digested_until', sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('city','industry','enterprise')", name=op.f('ck_subscriptions_kind')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    )
    op.create_index(op.f('ix_subscriptions_email'), 'subscriptions', ['email'])
    op.create_index('ux_subscriptions_live', 'subscriptions', ['email', 'kind', 'value'], unique=True,
                    sqlite_where=sa.text('unsubscribed_at IS NULL'), postgresql_where=sa.text('unsubscribed_at IS NULL'))


def downgrade():
    op.drop_table('subscriptions')
