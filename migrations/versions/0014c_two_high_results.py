"""两高 project register; the clean-production level recorded at acceptance

Revision ID: 0014c_two_high_results
Revises: 0014b_procedures_certifications
"""
from alembic import op
import sqlalchemy as sa

revision = '0014c_two_high_results'
down_revision = '0014b_procedures_certifications'
branch_labels = None
depends_on = None

STAGE = "IN ('planned','building','existing')"


def upgrade():
    op.create_table(
        'two_high_projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('sector', sa.String(length=40), nullable=False),
        sa.Column('capacity', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('capacity_unit', sa.String(length=20), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('approval_no', sa.String(length=100), nullable=True),
        sa.Column('filing_no', sa.String(length=100), nullable=True),
        sa.Column('designed_energy', sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column('actual_energy', sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column('utilization_percent', sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column('replacement_plan_no', sa.String(length=100), nullable=True),
        sa.Column('retired_capacity', sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"stage {STAGE}", name=op.f('ck_two_high_projects_stage')),
        sa.CheckConstraint('capacity > 0', name=op.f('ck_two_high_projects_capacity_positive')),
        sa.CheckConstraint('retired_capacity IS NULL OR retired_capacity > 0',
                           name=op.f('ck_two_high_projects_retired_positive')),
        sa.CheckConstraint('utilization_percent IS NULL OR (utilization_percent >= 0 AND utilization_percent <= 100)',
                           name=op.f('ck_two_high_projects_utilization_percent')),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_two_high_projects_enterprise_id_enterprises')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_two_high_projects_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_two_high_projects')),
    )
    op.create_index(op.f('ix_two_high_projects_enterprise_id'), 'two_high_projects', ['enterprise_id'])
    op.create_index(op.f('ix_two_high_projects_sector'), 'two_high_projects', ['sector'])
    op.create_index(op.f('ix_two_high_projects_stage'), 'two_high_projects', ['stage'])
    op.create_table(
        'two_high_stage_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('from_stage', sa.String(length=20), nullable=True),
        sa.Column('to_stage', sa.String(length=20), nullable=False),
        sa.Column('changed_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(f"to_stage {STAGE}", name=op.f('ck_two_high_stage_changes_to_stage')),
        sa.CheckConstraint(f"from_stage IS NULL OR from_stage {STAGE}", name=op.f('ck_two_high_stage_changes_from_stage')),
        sa.ForeignKeyConstraint(['project_id'], ['two_high_projects.id'],
                                name=op.f('fk_two_high_stage_changes_project_id_two_high_projects')),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_two_high_stage_changes_changed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_two_high_stage_changes')),
    )
    op.create_index(op.f('ix_two_high_stage_changes_project_id'), 'two_high_stage_changes', ['project_id'])
    op.create_table(
        'two_high_review_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('department', sa.String(length=30), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['two_high_projects.id'],
                                name=op.f('fk_two_high_review_notes_project_id_two_high_projects')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_two_high_review_notes_author_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_two_high_review_notes')),
    )
    op.create_index(op.f('ix_two_high_review_notes_project_id'), 'two_high_review_notes', ['project_id'])
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clean_production_level', sa.String(length=3), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_audit_rounds_clean_production_level'),
            "clean_production_level IS NULL OR (clean_production_level IN ('I','II','III') AND state = 'accepted')")
        batch_op.create_index(batch_op.f('ix_audit_rounds_clean_production_level'), ['clean_production_level'])


def downgrade():
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_rounds_clean_production_level'))
        batch_op.drop_constraint(batch_op.f('ck_audit_rounds_clean_production_level'), type_='check')
        batch_op.drop_column('clean_production_level')
    op.drop_index(op.f('ix_two_high_review_notes_project_id'), table_name='two_high_review_notes')
    op.drop_table('two_high_review_notes')
    op.drop_index(op.f('ix_two_high_stage_changes_project_id'), table_name='two_high_stage_changes')
    op.drop_table('two_high_stage_changes')
    op.drop_index(op.f('ix_two_high_projects_stage'), table_name='two_high_projects')
    op.drop_index(op.f('ix_two_high_projects_sector'), table_name='two_high_projects')
    op.drop_index(op.f('ix_two_high_projects_enterprise_id'), table_name='two_high_projects')
    op.drop_table('two_high_projects')
