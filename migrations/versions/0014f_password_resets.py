"""password resets, their rate limit, and enterprises' account requests

Revision ID: 0014f_password_resets
Revises: 0014e_training_accountability

忘记密码 mails a single-use link kept only as its SHA-256 (password_resets; an administrator's reset
and the first password of an approved enterprise account use the same links); requests are counted
by address and by what was typed (password_reset_requests). An enterprise asks for an account with
its USCC and a proof, and a regulator of its city decides (account_requests).
"""
from alembic import op
import sqlalchemy as sa

revision = '0014f_password_resets'
down_revision = '0014e_training_accountability'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("purpose IN ('mail','admin','initial')", name=op.f('ck_password_resets_purpose')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_password_resets_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash')),
    )
    op.create_index(op.f('ix_password_resets_user_id'), 'password_resets', ['user_id'])
    op.create_table(
        'password_reset_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('typed_hash', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests')),
    )
    op.create_index(op.f('ix_password_reset_requests_address'), 'password_reset_requests', ['address'])
    op.create_index(op.f('ix_password_reset_requests_typed_hash'), 'password_reset_requests', ['typed_hash'])
    op.create_index(op.f('ix_password_reset_requests_at'), 'password_reset_requests', ['at'])
    op.create_table(
        'account_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('uscc', sa.String(length=18), nullable=False),
        sa.Column('enterprise_name', sa.String(length=200), nullable=False),
        sa.Column('city_code', sa.String(length=6), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('contact_person', sa.String(length=50), nullable=False),
        sa.Column('contact_phone', sa.String(length=30), nullable=False),
        sa.Column('contact_email', sa.String(length=200), nullable=False),
        sa.Column('proof_original_name', sa.String(length=255), nullable=False),
        sa.Column('proof_stored_name', sa.String(length=64), nullable=False),
        sa.Column('proof_sha256', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('pending','approved','rejected')", name=op.f('ck_account_requests_state')),
        sa.CheckConstraint("state <> 'rejected' OR reason IS NOT NULL", name=op.f('ck_account_requests_rejection_reason')),
        sa.CheckConstraint("state <> 'approved' OR user_id IS NOT NULL", name=op.f('ck_account_requests_approved_user')),
        sa.CheckConstraint('length(uscc) = 18', name=op.f('ck_account_requests_uscc_length')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_account_requests_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['city_code'], ['divisions.code'], name=op.f('fk_account_requests_city_code_divisions')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_account_requests_decided_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_requests_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_requests')),
    )
    op.create_index(op.f('ix_account_requests_enterprise_id'), 'account_requests', ['enterprise_id'])
    op.create_index(op.f('ix_account_requests_uscc'), 'account_requests', ['uscc'])
    op.create_index(op.f('ix_account_requests_city_code'), 'account_requests', ['city_code'])
    op.create_index(op.f('ix_account_requests_state'), 'account_requests', ['state'])


def downgrade():
    op.drop_table('account_requests')
    op.drop_table('password_reset_requests')
    op.drop_table('password_resets')
