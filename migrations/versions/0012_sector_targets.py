"""sector targets: regulators' departments, yearly figures of the sectors' 2025 targets

Revision ID: 0012_sector_targets
Revises: 0011_panel_integrity

Every regulator account gets a department; those that exist were ecology and environment's.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_sector_targets'
down_revision = '0011_panel_integrity'
branch_labels = None
depends_on = None

DEPARTMENTS = ("ecology_environment", "development_reform", "industry_it", "agriculture", "housing", "transport")
DEPARTMENT_CHECK = "department IS NULL OR department IN (" + ",".join(f"'{d}'" for d in DEPARTMENTS) + ")"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sa.String(length=30), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_users_department'), DEPARTMENT_CHECK)
    op.execute("UPDATE users SET department = 'ecology_environment' WHERE role = 'regulator'")

    op.create_table(
        'sector_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('division_code', sa.String(length=6), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('unit', sa.String(length=10), nullable=False),
        sa.Column('department', sa.String(length=30), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.Column('reported_at', sa.DateTime(), nullable=False),
        sa.Column('revises_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('superseded_by_id', sa.Integer(), nullable=True),
        sa.Column('is_current', sa.Boolean(), nullable=False),
        sa.CheckConstraint('value >= 0', name=op.f('ck_sector_figures_value_not_negative')),
        sa.CheckConstraint('year >= 2021', name=op.f('ck_sector_figures_year_in_plan')),
        sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_sector_figures_division_code_divisions')),
        sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_sector_figures_reported_by_id_users')),
        sa.ForeignKeyConstraint(['revises_id'], ['sector_figures.id'], name=op.f('fk_sector_figures_revises_id_sector_figures')),
        sa.ForeignKeyConstraint(['superseded_by_id'], ['sector_figures.id'],
                                name=op.f('fk_sector_figures_superseded_by_id_sector_figures')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sector_figures')),
    )
    op.create_index('uq_sector_figures_current', 'sector_figures', ['indicator', 'division_code', 'year'], unique=True,
                    sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))


def downgrade():
    op.drop_index('uq_sector_figures_current', table_name='sector_figures')
    op.drop_table('sector_figures')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_department'), type_='check')
        batch_op.drop_column('department')
