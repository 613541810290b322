"""procedures and certifications: the simplified procedure's own steps, and certification as an audit

Revision ID: 0014b_procedures_certifications
Revises: 0014a_listing

Audit rounds record why they follow their procedure (procedure_basis) and whether they take the
simplified procedure's combined review (combined_review); three states join: the combined review
(review, review_failed) and a round closed by a confirmed certification (certified), which is a
closed state, so the one-open-round index is rebuilt with it. Panels gain the stage `review`.
Certifications are recorded, with their certificate file, and confirmed or rejected by a regulator.

Existing rounds keep the full procedure's steps (combined_review false) and no recorded basis: the
criteria that applied when they were listed were not kept, and today's flags would not say.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014b_procedures_certifications'
down_revision = '0014a_listing'
branch_labels = None
depends_on = None

OLD_STATES = ('listed', 'disclosed', 'auditing', 'report_submitted', 'evaluation', 'evaluation_passed',
              'evaluation_failed', 'acceptance', 'accepted', 'acceptance_failed', 'cancelled')
NEW_STATES = OLD_STATES[:-1] + ('review', 'review_failed', 'certified', 'cancelled')
OLD_CLOSED = ('accepted', 'cancelled')
NEW_CLOSED = ('accepted', 'cancelled', 'certified')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _rounds(states, closed, drop_closed):
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.drop_index('uq_audit_rounds_open_enterprise', sqlite_where=sa.text(f"NOT {_in('state', drop_closed)}"),
                            postgresql_where=sa.text(f"NOT {_in('state', drop_closed)}"))
        batch_op.drop_constraint(op.f('ck_audit_rounds_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_rounds_state'), _in('state', states))
        batch_op.create_index('uq_audit_rounds_open_enterprise', ['enterprise_id'], unique=True,
                              sqlite_where=sa.text(f"NOT {_in('state', closed)}"),
                              postgresql_where=sa.text(f"NOT {_in('state', closed)}"))


def _panel_stages(stages):
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_panels_stage'), type_='check')
        batch_op.create_check_constraint(op.f('ck_panels_stage'), _in('stage', stages))


def upgrade():
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_basis', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('combined_review', sa.Boolean(), server_default=sa.false(), nullable=False))
    _rounds(NEW_STATES, NEW_CLOSED, OLD_CLOSED)
    _panel_stages(('evaluation', 'acceptance', 'review'))
    op.create_table('certifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('certificate_no', sa.String(length=100), nullable=False),
    sa.Column('certifying_body', sa.String(length=200), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorder_role', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name=op.f('ck_certifications_status')),
    sa.CheckConstraint('certified_on <= recorded_on', name=op.f('ck_certifications_certified_not_after_recorded')),
    sa.CheckConstraint("status = 'pending' OR decided_at IS NOT NULL", name=op.f('ck_certifications_decided')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_certifications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_certifications_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_certifications_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_certifications_round_id_audit_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certifications')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_certifications_stored_name'))
    )
    with op.batch_alter_table('certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certifications_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certifications_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certifications_status'), ['status'], unique=False)
        batch_op.create_index('uq_certifications_body_number', ['certifying_body', 'certificate_no'], unique=True,
                              sqlite_where=sa.text("status <> 'rejected'"),
                              postgresql_where=sa.text("status <> 'rejected'"))


def downgrade():
    # The old schema has no combined review and no certification as an audit: such rows take the
    # nearest old state (a certified round stays closed, as withdrawn, and says why).
    op.execute("UPDATE panels SET stage = 'evaluation' WHERE stage = 'review'")
    op.execute("UPDATE audit_rounds SET state = 'evaluation' WHERE state = 'review'")
    op.execute("UPDATE audit_rounds SET state = 'evaluation_failed' WHERE state = 'review_failed'")
    op.execute("UPDATE audit_rounds SET state = 'cancelled', cancelled_reason = '以清洁生产评价认证视同完成审核' "
               "WHERE state = 'certified'")
    op.drop_table('certifications')
    _panel_stages(('evaluation', 'acceptance'))
    _rounds(OLD_STATES, OLD_CLOSED, NEW_CLOSED)
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.drop_column('combined_review')
        batch_op.drop_column('procedure_basis')
