"""training and accountable service organisations: training plans, sessions, enrolments and
certificates; qualification records and suspensions of service organisations; the organisation a
panel reviewed (taken at the draw); "training" as a reason a draw leaves an expert out

Revision ID: 0014e_training_accountability
Revises: 0014d_knowledge_base
"""
from alembic import op
import sqlalchemy as sa

revision = '0014e_training_accountability'
down_revision = '0014d_knowledge_base'
branch_labels = None
depends_on = None

REASONS = ('on_panel', 'declined', 'pending', 'suspended', 'retired', 'specialty', 'same_employer', 'service_org',
           'declared')


def _reasons(codes) -> str:
    return f"reason IN ({', '.join(repr(c) for c in codes)})"


def upgrade():
    op.create_table('training_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("audience IN ('officials', 'experts', 'consultants', 'enterprise_heads')",
                       name=op.f('ck_training_plans_audience')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_training_plans_year')),
    sa.CheckConstraint('hours > 0 AND hours <= 1000', name=op.f('ck_training_plans_hours')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'],
                            name=op.f('fk_training_plans_division_code_divisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_plans'))
    )
    with op.batch_alter_table('training_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_plans_audience'), ['audience'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_plans_division_code'), ['division_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_plans_year'), ['year'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_training_sessions_dates')),
    sa.CheckConstraint('capacity >= 1 AND capacity <= 10000', name=op.f('ck_training_sessions_capacity')),
    sa.CheckConstraint('enrolled >= 0 AND enrolled <= capacity', name=op.f('ck_training_sessions_enrolled')),
    sa.CheckConstraint('hours > 0 AND hours <= 200', name=op.f('ck_training_sessions_hours')),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_training_sessions_plan_id_training_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_plan_id'), ['plan_id'], unique=False)

    op.create_table('training_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('holder_name', sa.String(length=100), nullable=False),
    sa.Column('holder_unit', sa.String(length=200), nullable=True),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('attendance_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('certificate_code', sa.String(length=32), nullable=True),
    sa.Column('certificate_issued_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('certificate_code IS NULL OR (attended AND certificate_issued_at IS NOT NULL)',
                       name=op.f('ck_training_enrolments_certificate')),
    sa.CheckConstraint('attended IS NULL OR attendance_recorded_at IS NOT NULL',
                       name=op.f('ck_training_enrolments_attendance')),
    sa.ForeignKeyConstraint(['attendance_recorded_by_id'], ['users.id'],
                            name=op.f('fk_training_enrolments_attendance_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['users.id'], name=op.f('fk_training_enrolments_enrolled_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'],
                            name=op.f('fk_training_enrolments_session_id_training_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_enrolments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_enrolments')),
    sa.UniqueConstraint('certificate_code', name='uq_training_enrolments_certificate_code'),
    sa.UniqueConstraint('session_id', 'user_id', name='uq_training_enrolments_session_user')
    )
    with op.batch_alter_table('training_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_enrolments_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_enrolments_user_id'), ['user_id'], unique=False)

    op.create_table('service_org_qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_org_id', sa.Integer(), nullable=False),
    sa.Column('requirement', sa.String(length=30), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('check_note', sa.Text(), nullable=True),
    sa.CheckConstraint("result IN ('pending', 'met', 'not_met')", name=op.f('ck_service_org_qualifications_result')),
    sa.CheckConstraint("result = 'pending' OR (checked_at IS NOT NULL AND check_note IS NOT NULL)",
                       name=op.f('ck_service_org_qualifications_checked')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'],
                            name=op.f('fk_service_org_qualifications_checked_by_id_users')),
    sa.ForeignKeyConstraint(['service_org_id'], ['service_orgs.id'],
                            name=op.f('fk_service_org_qualifications_service_org_id_service_orgs')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'],
                            name=op.f('fk_service_org_qualifications_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_org_qualifications'))
    )
    with op.batch_alter_table('service_org_qualifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_org_qualifications_service_org_id'), ['service_org_id'],
                              unique=False)

    op.create_table('service_org_suspensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_org_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('suspended_on', sa.Date(), nullable=False),
    sa.Column('suspended_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('lifted_at IS NULL OR lift_reason IS NOT NULL', name=op.f('ck_service_org_suspensions_lift_reason')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_service_org_suspensions_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['service_org_id'], ['service_orgs.id'],
                            name=op.f('fk_service_org_suspensions_service_org_id_service_orgs')),
    sa.ForeignKeyConstraint(['suspended_by_id'], ['users.id'],
                            name=op.f('fk_service_org_suspensions_suspended_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_org_suspensions'))
    )
    with op.batch_alter_table('service_org_suspensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_org_suspensions_service_org_id'), ['service_org_id'], unique=False)
        batch_op.create_index('uq_service_org_suspensions_open', ['service_org_id'], unique=True,
                              sqlite_where=sa.text('lifted_at IS NULL'), postgresql_where=sa.text('lifted_at IS NULL'))

    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_org_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_panels_service_org_id'), ['service_org_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_panels_service_org_id_service_orgs'), 'service_orgs',
                                    ['service_org_id'], ['id'])
    # Panels drawn before this revision: the round's organisation now is the best record there is.
    op.execute("UPDATE panels SET service_org_id = "
               "(SELECT r.service_org_id FROM audit_rounds r WHERE r.id = panels.round_id)")

    with op.batch_alter_table('panel_exclusions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_panel_exclusions_reason'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_panel_exclusions_reason'), _reasons(REASONS + ('training',)))


def downgrade():
    op.execute("DELETE FROM panel_exclusions WHERE reason = 'training'")
    with op.batch_alter_table('panel_exclusions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_panel_exclusions_reason'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_panel_exclusions_reason'), _reasons(REASONS))
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_panels_service_org_id_service_orgs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_panels_service_org_id'))
        batch_op.drop_column('service_org_id')
    with op.batch_alter_table('service_org_suspensions', schema=None) as batch_op:
        batch_op.drop_index('uq_service_org_suspensions_open', sqlite_where=sa.text('lifted_at IS NULL'),
                            postgresql_where=sa.text('lifted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_service_org_suspensions_service_org_id'))
    op.drop_table('service_org_suspensions')
    with op.batch_alter_table('service_org_qualifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_org_qualifications_service_org_id'))
    op.drop_table('service_org_qualifications')
    with op.batch_alter_table('training_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_enrolments_user_id'))
        batch_op.drop_index(batch_op.f('ix_training_enrolments_session_id'))
    op.drop_table('training_enrolments')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_plan_id'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_ends_on'))
    op.drop_table('training_sessions')
    with op.batch_alter_table('training_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_plans_year'))
        batch_op.drop_index(batch_op.f('ix_training_plans_division_code'))
        batch_op.drop_index(batch_op.f('ix_training_plans_audience'))
    op.drop_table('training_plans')
