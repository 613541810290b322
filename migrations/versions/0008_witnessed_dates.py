"""witnessed and declared step dates, the toxic-listing flag of a round, 处罚有效期, repair vouchers

Revision ID: 0008_witnessed_dates
Revises: 0007_experts

Existing rounds get a step record for each declared step they hold, dated by the timeline event
that recorded it (its created_at, in Beijing time) and by whom. A step recorded later than the
grace days after its declared date, or after its deadline while declaring a date by it, by an
enterprise, becomes 待核实 and counts from the day it was recorded, as it would today.
"""
from datetime import date, datetime, timedelta

from alembic import op
import sqlalchemy as sa

revision = '0008_witnessed_dates'
down_revision = '0007_experts'
branch_labels = None
depends_on = None

STEPS = {  # step: (effective column, deadline column)
    'disclosed': ('disclosed_on', 'disclosure_due'),
    'auditing': ('started_on', 'start_due'),
    'report_submitted': ('report_submitted_on', 'report_due'),
    'acceptance': ('acceptance_requested_on', 'acceptance_due'),
}
GRACE_DAYS = 7


def upgrade():
    op.create_table('step_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('declared_on', sa.Date(), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorder_role', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('evidence_url', sa.String(length=500), nullable=True),
    sa.Column('evidence_stored_name', sa.String(length=100), nullable=True),
    sa.Column('evidence_original_name', sa.String(length=255), nullable=True),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
    sa.Column('evidence_dated_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("step IN ('disclosed', 'auditing', 'report_submitted', 'acceptance')", name=op.f('ck_step_records_step')),
    sa.CheckConstraint("status IN ('witnessed', 'pending', 'confirmed', 'refused')", name=op.f('ck_step_records_status')),
    sa.CheckConstraint('declared_on <= recorded_on', name=op.f('ck_step_records_declared_not_after_recorded')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_step_records_round_id_audit_rounds')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_step_records_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_step_records_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_records')),
    sa.UniqueConstraint('evidence_stored_name', name=op.f('uq_step_records_evidence_stored_name'))
    )
    with op.batch_alter_table('step_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_records_status'), ['status'], unique=False)
        batch_op.create_index('uq_step_records_round_step', ['round_id', 'step'], unique=True)

    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('toxic_listed', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('penalty_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_until', sa.Date(), nullable=True))
    with op.batch_alter_table('credit_repairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_yuan', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('paid_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('voucher_stored_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('voucher_original_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('voucher_sha256', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_credit_repairs_voucher_stored_name'), ['voucher_stored_name'])

    bind = op.get_bind()
    # 审核办法 第十二条: only a round listed for toxic or hazardous substances has a repeat deadline.
    bind.execute(sa.text(
        "UPDATE audit_rounds SET toxic_listed = (SELECT e.toxic_substances FROM enterprises e "
        "WHERE e.id = audit_rounds.enterprise_id) WHERE kind = 'mandatory'"))
    bind.execute(sa.text("UPDATE audit_rounds SET next_round_due = NULL WHERE NOT toxic_listed"))
    # The 处罚有效期 sent to the channel so far was the publication's end: keep what was published.
    bind.execute(sa.text(
        "UPDATE penalty_decisions SET valid_until = (SELECT r.publish_until FROM credit_records r "
        "WHERE r.decision_id = penalty_decisions.id)"))
    bind.execute(sa.text("UPDATE penalty_decisions SET valid_until = decided_on WHERE valid_until IS NULL"))
    with op.batch_alter_table('penalty_decisions', schema=None) as batch_op:
        batch_op.alter_column('valid_until', existing_type=sa.Date(), nullable=False)
    _backfill_step_records(bind)


def _backfill_step_records(bind):
    rounds = bind.execute(sa.text(
        "SELECT id, disclosed_on, started_on, report_submitted_on, acceptance_requested_on, disclosure_due, "
        "start_due, report_due, acceptance_due FROM audit_rounds")).mappings().all()
    events = {}
    for row in bind.execute(sa.text(
            "SELECT e.round_id, e.to_state, e.actor_id, e.created_at, u.role FROM round_events e "
            "LEFT JOIN users u ON u.id = e.actor_id ORDER BY e.id")).mappings():
        events.setdefault((row['round_id'], row['to_state']), row)  # the first time the step was recorded
    records = sa.table('step_records', *(sa.column(c) for c in (
        'round_id', 'step', 'declared_on', 'recorded_on', 'recorded_at', 'recorded_by_id', 'recorder_role', 'status')))
    for r in rounds:
        for step, (column, due_column) in STEPS.items():
            declared = _as_date(r[column])
            if declared is None:
                continue
            event = events.get((r['id'], step))
            recorded_at = _as_datetime(event['created_at']) if event else None
            recorded_on = max(declared, (recorded_at + timedelta(hours=8)).date()) if recorded_at else declared
            role = (event['role'] if event else None) or 'system'
            due = _as_date(r[due_column])
            late = due is not None and declared <= due < recorded_on
            pending = role not in ('regulator', 'admin', 'system') and (
                (recorded_on - declared).days > GRACE_DAYS or late)
            bind.execute(records.insert().values(
                round_id=r['id'], step=step, declared_on=declared, recorded_on=recorded_on,
                recorded_at=recorded_at or sa.func.current_timestamp(), recorded_by_id=event['actor_id'] if event else None,
                recorder_role=role, status='pending' if pending else 'witnessed'))
            if pending:
                bind.execute(sa.text(f"UPDATE audit_rounds SET {column} = :on WHERE id = :id"),
                             {'on': recorded_on, 'id': r['id']})


def _as_date(value):
    """SQLite hands back text, PostgreSQL a date."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _as_datetime(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def downgrade():
    with op.batch_alter_table('credit_repairs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_credit_repairs_voucher_stored_name'), type_='unique')
        for column in ('voucher_sha256', 'voucher_original_name', 'voucher_stored_name', 'paid_on', 'paid_yuan'):
            batch_op.drop_column(column)
    with op.batch_alter_table('penalty_decisions', schema=None) as batch_op:
        batch_op.drop_column('valid_until')
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.drop_column('toxic_listed')
    with op.batch_alter_table('step_records', schema=None) as batch_op:
        batch_op.drop_index('uq_step_records_round_step')
        batch_op.drop_index(batch_op.f('ix_step_records_status'))
    op.drop_table('step_records')
