"""structured disclosure (审核办法 第十一条): the causes a round was listed for, and its disclosure forms;
the permit inside the audit and the carbon content of a round

Revision ID: 0016j_disclosure_forms
Revises: 0015f_subscriptions

Each cause of listing asks for its form; a form's versions are never changed (a correction is a
new version with its reason). Rounds still waiting to disclose take their causes from the
enterprise's flags, as a new listing would; rounds past that step keep the date-and-URL disclosure. Every round takes its permit status from
its enterprise's permit data (重点/简化管理 with a number: a permit; 登记管理: a registration).
"""
from alembic import op
import sqlalchemy as sa

revision = '0016j_disclosure_forms'
down_revision = '0015f_subscriptions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disclosure_causes', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('permit_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('permit_no', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('permit_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('permit_report_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carbon_baseline_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carbon_baseline_t', sa.Numeric(precision=18, scale=4), nullable=True))
        batch_op.add_column(sa.Column('carbon_intensity', sa.Numeric(precision=18, scale=4), nullable=True))
        batch_op.add_column(sa.Column('carbon_intensity_unit', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('carbon_target_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carbon_target_reduction_t', sa.Numeric(precision=18, scale=4), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_audit_rounds_permit_status'), "permit_status IS NULL OR permit_status IN ('permit', 'registered', 'applying', 'none')")
        batch_op.create_check_constraint(op.f('ck_audit_rounds_carbon_baseline'), 'carbon_baseline_t IS NULL OR carbon_baseline_t > 0')
        batch_op.create_check_constraint(
            op.f('ck_audit_rounds_carbon_target_year'),
            'carbon_target_year IS NULL OR carbon_baseline_year IS NULL OR carbon_target_year > carbon_baseline_year')
    op.create_table(
        'disclosure_forms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('cause', sa.String(length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('correction_note', sa.Text(), nullable=True),
        sa.Column('recorded_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorder_role', sa.String(length=20), nullable=False),
        sa.CheckConstraint("cause IN ('over_discharge', 'over_energy', 'toxic')",
                           name=op.f('ck_disclosure_forms_cause')),
        sa.CheckConstraint('version >= 1', name=op.f('ck_disclosure_forms_version')),
        sa.CheckConstraint('version = 1 OR correction_note IS NOT NULL',
                           name=op.f('ck_disclosure_forms_correction_note')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_disclosure_forms_recorded_by_id_users')),
        sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'],
                                name=op.f('fk_disclosure_forms_round_id_audit_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_forms')),
    )
    op.create_index(op.f('ix_disclosure_forms_round_id'), 'disclosure_forms', ['round_id'])
    op.create_index('uq_disclosure_forms_round_cause_version', 'disclosure_forms', ['round_id', 'cause', 'version'],
                    unique=True)
    # Portable SQL: a listed mandatory round takes its causes from its enterprise's flags.
    flags = sa.table('enterprises', sa.column('id'), sa.column('over_discharge'), sa.column('over_energy_quota'),
                     sa.column('toxic_substances'))
    rounds = sa.table('audit_rounds', sa.column('id'), sa.column('enterprise_id'), sa.column('kind'),
                      sa.column('state'), sa.column('toxic_listed'), sa.column('disclosure_causes'))
    bind = op.get_bind()
    rows = bind.execute(sa.select(rounds.c.id, flags.c.over_discharge, flags.c.over_energy_quota, rounds.c.toxic_listed)
                        .select_from(rounds.join(flags, flags.c.id == rounds.c.enterprise_id))
                        .where(rounds.c.kind == 'mandatory', rounds.c.state == 'listed')).all()
    permits = sa.table('enterprises', sa.column('id'), sa.column('permit_no'), sa.column('permit_class'))
    held = sa.select(permits.c.id).where(permits.c.permit_class.in_(('key', 'simplified')), permits.c.permit_no.is_not(None))
    registered = sa.select(permits.c.id).where(permits.c.permit_class == 'registration')
    rounds_p = sa.table('audit_rounds', sa.column('enterprise_id'), sa.column('permit_status'), sa.column('permit_no'),
                        sa.column('permit_source'))
    number = sa.select(permits.c.permit_no).where(permits.c.id == rounds_p.c.enterprise_id).scalar_subquery()
    for status, which in (('permit', held), ('registered', registered)):
        bind.execute(sa.update(rounds_p).where(rounds_p.c.enterprise_id.in_(which))
                     .values(permit_status=status, permit_no=number, permit_source='register'))
    for round_id, discharge, energy, toxic in rows:
        causes = [c for c, on in (('over_discharge', discharge), ('over_energy', energy), ('toxic', toxic)) if on]
        if causes:
            bind.execute(sa.update(rounds).where(rounds.c.id == round_id).values(disclosure_causes=','.join(causes)))


def downgrade():
    op.drop_table('disclosure_forms')
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_rounds_carbon_target_year'), type_='check')
        batch_op.drop_constraint(op.f('ck_audit_rounds_carbon_baseline'), type_='check')
        batch_op.drop_constraint(op.f('ck_audit_rounds_permit_status'), type_='check')
        for column in ('carbon_target_reduction_t', 'carbon_target_year', 'carbon_intensity_unit', 'carbon_intensity',
                       'carbon_baseline_t', 'carbon_baseline_year', 'permit_report_year', 'permit_source', 'permit_no',
                       'permit_status', 'disclosure_causes'):
            batch_op.drop_column(column)
