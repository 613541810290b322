"""penalties, credit records and deliveries

Revision ID: 0006_credit
Revises: 0005_schemes

Also lets a non-compliance case end in 'penalized' (a penalty decision was recorded): the CHECK
constraint on cases.state is recreated (batch mode, so SQLite rebuilds the table and PostgreSQL
alters it in place).
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_credit'
down_revision = '0005_schemes'
branch_labels = None
depends_on = None

CASE_STATES = ('open', 'rectifying', 'overdue', 'rectified', 'closed')
CASE_STATES_WITH_PENALTY = CASE_STATES + ('penalized',)


def _case_states(states):
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cases_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_cases_state'),
                                         f"state IN ({', '.join(repr(s) for s in states)})")


def upgrade():
    op.create_table('penalty_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('decision_no', sa.String(length=100), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('violation_type', sa.String(length=200), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('fine_yuan', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('office_name', sa.String(length=200), nullable=False),
    sa.Column('office_uscc', sa.String(length=18), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("severity IN ('minor', 'general', 'serious')", name=op.f('ck_penalty_decisions_severity')),
    sa.CheckConstraint('fine_yuan >= 0', name=op.f('ck_penalty_decisions_fine_yuan')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_penalty_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_penalty_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_penalty_decisions_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_penalty_decisions')),
    sa.UniqueConstraint('case_id', name=op.f('uq_penalty_decisions_case_id')),
    sa.UniqueConstraint('decision_no', name=op.f('uq_penalty_decisions_decision_no'))
    )
    with op.batch_alter_table('penalty_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_penalty_decisions_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('credit_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('subject_uscc', sa.String(length=18), nullable=False),
    sa.Column('legal_representative', sa.String(length=50), nullable=True),
    sa.Column('online_due', sa.Date(), nullable=False),
    sa.Column('min_until', sa.Date(), nullable=False),
    sa.Column('publish_until', sa.Date(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approval_note', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state <> 'withdrawn' OR (withdrawn_on IS NOT NULL AND withdrawal_reason IS NOT NULL)", name=op.f('ck_credit_records_withdrawn')),
    sa.CheckConstraint("state IN ('pending', 'approved', 'published', 'withdrawn')", name=op.f('ck_credit_records_state')),
    sa.CheckConstraint("state NOT IN ('approved', 'published') OR approved_at IS NOT NULL", name=op.f('ck_credit_records_approved')),
    sa.CheckConstraint("withdrawal_reason IS NULL OR withdrawal_reason IN ('expired', 'repaired')", name=op.f('ck_credit_records_withdrawal_reason')),
    sa.CheckConstraint('min_until <= publish_until', name=op.f('ck_credit_records_period')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_credit_records_approved_by_id_users')),
    sa.ForeignKeyConstraint(['decision_id'], ['penalty_decisions.id'], name=op.f('fk_credit_records_decision_id_penalty_decisions')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_credit_records_enterprise_id_enterprises')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_records')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_credit_records_decision_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_credit_records_idempotency_key'))
    )
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_records_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_records_publish_until'), ['publish_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_records_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_records_subject_uscc'), ['subject_uscc'], unique=False)

    op.create_table('credit_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('publish', 'withdraw')", name=op.f('ck_credit_deliveries_kind')),
    sa.CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name=op.f('ck_credit_deliveries_sent_at')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'dead', 'cancelled')", name=op.f('ck_credit_deliveries_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_credit_deliveries_attempts')),
    sa.ForeignKeyConstraint(['record_id'], ['credit_records.id'], name=op.f('fk_credit_deliveries_record_id_credit_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_deliveries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_credit_deliveries_idempotency_key')),
    sa.UniqueConstraint('record_id', 'kind', name='uq_credit_deliveries_record_kind')
    )
    with op.batch_alter_table('credit_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_credit_deliveries_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('credit_repairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('correction', sa.Text(), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('proof_stored_name', sa.String(length=100), nullable=False),
    sa.Column('proof_original_name', sa.String(length=255), nullable=False),
    sa.Column('proof_sha256', sa.String(length=64), nullable=False),
    sa.Column('proof_size', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state = 'pending' OR decided_on IS NOT NULL", name=op.f('ck_credit_repairs_decided')),
    sa.CheckConstraint("state IN ('pending', 'approved', 'rejected')", name=op.f('ck_credit_repairs_state')),
    sa.CheckConstraint('proof_size > 0', name=op.f('ck_credit_repairs_proof_size')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_credit_repairs_applicant_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_credit_repairs_decided_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_credit_repairs_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['record_id'], ['credit_records.id'], name=op.f('fk_credit_repairs_record_id_credit_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_repairs')),
    sa.UniqueConstraint('proof_stored_name', name=op.f('uq_credit_repairs_proof_stored_name'))
    )
    with op.batch_alter_table('credit_repairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_repairs_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_repairs_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_repairs_state'), ['state'], unique=False)
        batch_op.create_index('uq_credit_repairs_pending_record', ['record_id'], unique=True, sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))

    _case_states(CASE_STATES_WITH_PENALTY)


def downgrade():
    op.execute("UPDATE cases SET state = 'overdue' WHERE state = 'penalized'")
    _case_states(CASE_STATES)

    with op.batch_alter_table('credit_repairs', schema=None) as batch_op:
        batch_op.drop_index('uq_credit_repairs_pending_record', sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_credit_repairs_state'))
        batch_op.drop_index(batch_op.f('ix_credit_repairs_record_id'))
        batch_op.drop_index(batch_op.f('ix_credit_repairs_enterprise_id'))

    op.drop_table('credit_repairs')
    with op.batch_alter_table('credit_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_deliveries_due')

    op.drop_table('credit_deliveries')
    with op.batch_alter_table('credit_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_records_subject_uscc'))
        batch_op.drop_index(batch_op.f('ix_credit_records_state'))
        batch_op.drop_index(batch_op.f('ix_credit_records_publish_until'))
        batch_op.drop_index(batch_op.f('ix_credit_records_enterprise_id'))

    op.drop_table('credit_records')
    with op.batch_alter_table('penalty_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_penalty_decisions_enterprise_id'))

    op.drop_table('penalty_decisions')
