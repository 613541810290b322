"""clean-production schemes and their per-round totals

Revision ID: 0005_schemes
Revises: 0004_catalogue
"""
from alembic import op
import sqlalchemy as sa

revision = '0005_schemes'
down_revision = '0004_catalogue'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheme_totals',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('schemes_total', sa.Integer(), nullable=False),
    sa.Column('schemes_completed', sa.Integer(), nullable=False),
    sa.Column('schemes_abandoned', sa.Integer(), nullable=False),
    sa.Column('schemes_low_cost', sa.Integer(), nullable=False),
    sa.Column('schemes_high_cost', sa.Integer(), nullable=False),
    sa.Column('investment_planned_wan_yuan_e4', sa.BigInteger(), nullable=False),
    sa.Column('investment_wan_yuan_e4', sa.BigInteger(), nullable=False),
    sa.Column('energy_tce_e4', sa.BigInteger(), nullable=False),
    sa.Column('water_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('electricity_kwh_e4', sa.BigInteger(), nullable=False),
    sa.Column('cod_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('nh3n_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('nox_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('vocs_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('so2_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('particulates_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('co2_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('hazardous_waste_t_e4', sa.BigInteger(), nullable=False),
    sa.Column('economic_benefit_wan_yuan_e4', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_scheme_totals_round_id_audit_rounds')),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_scheme_totals'))
    )
    op.create_table('schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('planned_completion_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('investment_wan_yuan', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('energy_tce', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('water_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('electricity_kwh', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('cod_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('nh3n_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('nox_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('vocs_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('so2_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('particulates_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('co2_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('hazardous_waste_t', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('economic_benefit_wan_yuan', sa.Numeric(precision=15, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(status = 'completed') = (completed_on IS NOT NULL)", name=op.f('ck_schemes_completed_on')),
    sa.CheckConstraint("category IN ('low_cost', 'high_cost')", name=op.f('ck_schemes_category')),
    sa.CheckConstraint("status IN ('planned', 'implementing', 'completed', 'abandoned')", name=op.f('ck_schemes_status')),
    sa.CheckConstraint('co2_t >= 0', name=op.f('ck_schemes_co2_t_not_negative')),
    sa.CheckConstraint('cod_t >= 0', name=op.f('ck_schemes_cod_t_not_negative')),
    sa.CheckConstraint('economic_benefit_wan_yuan >= 0', name=op.f('ck_schemes_economic_benefit_wan_yuan_not_negative')),
    sa.CheckConstraint('electricity_kwh >= 0', name=op.f('ck_schemes_electricity_kwh_not_negative')),
    sa.CheckConstraint('energy_tce >= 0', name=op.f('ck_schemes_energy_tce_not_negative')),
    sa.CheckConstraint('hazardous_waste_t >= 0', name=op.f('ck_schemes_hazardous_waste_t_not_negative')),
    sa.CheckConstraint('investment_wan_yuan >= 0', name=op.f('ck_schemes_investment_wan_yuan_not_negative')),
    sa.CheckConstraint('nh3n_t >= 0', name=op.f('ck_schemes_nh3n_t_not_negative')),
    sa.CheckConstraint('nox_t >= 0', name=op.f('ck_schemes_nox_t_not_negative')),
    sa.CheckConstraint('particulates_t >= 0', name=op.f('ck_schemes_particulates_t_not_negative')),
    sa.CheckConstraint('so2_t >= 0', name=op.f('ck_schemes_so2_t_not_negative')),
    sa.CheckConstraint('vocs_t >= 0', name=op.f('ck_schemes_vocs_t_not_negative')),
    sa.CheckConstraint('water_t >= 0', name=op.f('ck_schemes_water_t_not_negative')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_schemes_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_schemes_round_id_audit_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schemes')),
    sa.UniqueConstraint('round_id', 'code', name='uq_schemes_round_code')
    )
    with op.batch_alter_table('schemes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schemes_enterprise_id'), ['enterprise_id'], unique=False)

    # Covering indexes for the statistics (platform/stats/models.py).
    op.create_index('ix_audit_rounds_stats', 'audit_rounds', ['enterprise_id', 'state', 'listed_on', 'started_on',
                    'evaluation_concluded_on', 'acceptance_concluded_on'], unique=False)
    op.create_index('ix_enterprises_stats', 'enterprises', ['city_code', 'industry_code', 'park_id'], unique=False)



def downgrade():
    op.drop_index('ix_enterprises_stats', table_name='enterprises')
    op.drop_index('ix_audit_rounds_stats', table_name='audit_rounds')
    with op.batch_alter_table('schemes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schemes_enterprise_id'))

    op.drop_table('schemes')
    op.drop_table('scheme_totals')
