"""expert pool, service organisations and review panels

Revision ID: 0007_experts
Revises: 0006_credit
"""
from alembic import op
import sqlalchemy as sa

revision = '0007_experts'
down_revision = '0006_credit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('employer_uscc', sa.String(length=18), nullable=False),
    sa.Column('fields', sa.String(length=300), nullable=True),
    sa.Column('qualifications', sa.Text(), nullable=True),
    sa.Column('years_of_practice', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=True),
    sa.Column('status_changed_by_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status NOT IN ('suspended', 'retired') OR status_reason IS NOT NULL", name=op.f('ck_experts_status_reason')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'suspended', 'retired')", name=op.f('ck_experts_status')),
    sa.CheckConstraint('length(employer_uscc) = 18', name=op.f('ck_experts_employer_uscc_length')),
    sa.CheckConstraint('years_of_practice >= 0 AND years_of_practice <= 70', name=op.f('ck_experts_years_of_practice')),
    sa.ForeignKeyConstraint(['status_changed_by_id'], ['users.id'], name=op.f('fk_experts_status_changed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_experts_user_id'))
    )
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experts_employer_uscc'), ['employer_uscc'], unique=False)
        batch_op.create_index(batch_op.f('ix_experts_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_experts_status'), ['status'], unique=False)

    op.create_table('service_orgs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('contact_person', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(uscc) = 18', name=op.f('ck_service_orgs_uscc_length')),
    sa.ForeignKeyConstraint(['city_code'], ['divisions.code'], name=op.f('fk_service_orgs_city_code_divisions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_service_orgs_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_orgs')),
    sa.UniqueConstraint('name', name=op.f('uq_service_orgs_name')),
    sa.UniqueConstraint('uscc', name=op.f('uq_service_orgs_uscc')),
    sa.UniqueConstraint('user_id', name=op.f('uq_service_orgs_user_id'))
    )
    with op.batch_alter_table('service_orgs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_orgs_city_code'), ['city_code'], unique=False)

    op.create_table('expert_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(uscc) = 18', name=op.f('ck_expert_conflicts_uscc_length')),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_conflicts_expert_id_experts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_conflicts')),
    sa.UniqueConstraint('expert_id', 'uscc', name='uq_expert_conflicts_expert_uscc')
    )
    with op.batch_alter_table('expert_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_conflicts_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_conflicts_uscc'), ['uscc'], unique=False)

    op.create_table('expert_specialties',
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('industry_code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_specialties_expert_id_experts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['industry_code'], ['industries.code'], name=op.f('fk_expert_specialties_industry_code_industries')),
    sa.PrimaryKeyConstraint('expert_id', 'industry_code', name=op.f('pk_expert_specialties'))
    )
    op.create_table('panels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('veto_min_members', sa.Integer(), nullable=False),
    sa.Column('drawn_on', sa.Date(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('concluded_on', sa.Date(), nullable=True),
    sa.Column('concluded_by_id', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('mean_total', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('vetoes', sa.JSON(), nullable=True),
    sa.Column('conclusion', sa.Text(), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("stage IN ('evaluation', 'acceptance')", name=op.f('ck_panels_stage')),
    sa.CheckConstraint("state <> 'concluded' OR (passed IS NOT NULL AND concluded_on IS NOT NULL AND mean_total IS NOT NULL)", name=op.f('ck_panels_conclusion')),
    sa.CheckConstraint("state IN ('scoring', 'concluded', 'cancelled')", name=op.f('ck_panels_state')),
    sa.CheckConstraint('mean_total IS NULL OR (mean_total >= 0 AND mean_total <= 100)', name=op.f('ck_panels_mean_total')),
    sa.CheckConstraint('pass_mark >= 0 AND pass_mark <= 100', name=op.f('ck_panels_pass_mark')),
    sa.CheckConstraint('size >= 3', name=op.f('ck_panels_size')),
    sa.ForeignKeyConstraint(['concluded_by_id'], ['users.id'], name=op.f('fk_panels_concluded_by_id_users')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_panels_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_panels_round_id_audit_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panels'))
    )
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panels_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panels_state'), ['state'], unique=False)
        batch_op.create_index('uq_panels_scoring_round', ['round_id'], unique=True, sqlite_where=sa.text("state = 'scoring'"), postgresql_where=sa.text("state = 'scoring'"))

    op.create_table('panel_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=20), nullable=False),
    sa.Column('requested', sa.Integer(), nullable=False),
    sa.Column('candidate_ids', sa.JSON(), nullable=False),
    sa.Column('chosen_ids', sa.JSON(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('requested >= 1', name=op.f('ck_panel_draws_requested')),
    sa.CheckConstraint('length(seed) BETWEEN 1 AND 20', name=op.f('ck_panel_draws_seed')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_panel_draws_drawn_by_id_users')),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_draws_panel_id_panels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_draws')),
    sa.UniqueConstraint('panel_id', 'seq', name='uq_panel_draws_panel_seq')
    )
    with op.batch_alter_table('panel_draws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_draws_panel_id'), ['panel_id'], unique=False)

    op.create_table('panel_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.CheckConstraint("reason IN ('on_panel', 'declined', 'pending', 'suspended', 'retired', 'specialty', 'same_employer', 'service_org', 'declared')", name=op.f('ck_panel_exclusions_reason')),
    sa.ForeignKeyConstraint(['draw_id'], ['panel_draws.id'], name=op.f('fk_panel_exclusions_draw_id_panel_draws')),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_panel_exclusions_expert_id_experts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_exclusions')),
    sa.UniqueConstraint('draw_id', 'expert_id', name='uq_panel_exclusions_draw_expert')
    )
    with op.batch_alter_table('panel_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_exclusions_draw_id'), ['draw_id'], unique=False)

    op.create_table('panel_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('declined_reason', sa.Text(), nullable=True),
    sa.Column('declined_at', sa.DateTime(), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("signed_at IS NULL OR (state = 'active' AND opinion IS NOT NULL)", name=op.f('ck_panel_members_signature')),
    sa.CheckConstraint("state <> 'declined' OR declined_reason IS NOT NULL", name=op.f('ck_panel_members_declined_reason')),
    sa.CheckConstraint("state IN ('active', 'declined')", name=op.f('ck_panel_members_state')),
    sa.ForeignKeyConstraint(['draw_id'], ['panel_draws.id'], name=op.f('fk_panel_members_draw_id_panel_draws')),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_panel_members_expert_id_experts')),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_members_panel_id_panels')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['panel_members.id'], name=op.f('fk_panel_members_replaced_by_id_panel_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_members')),
    sa.UniqueConstraint('panel_id', 'expert_id', name='uq_panel_members_panel_expert')
    )
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_members_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_members_panel_id'), ['panel_id'], unique=False)

    op.create_table('scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=30), nullable=False),
    sa.Column('points', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('vetoed', sa.Boolean(), nullable=False),
    sa.CheckConstraint('points IS NOT NULL OR vetoed', name=op.f('ck_scores_points_or_veto')),
    sa.CheckConstraint('points IS NULL OR (points >= 0 AND points <= 100)', name=op.f('ck_scores_points')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_members.id'], name=op.f('fk_scores_member_id_panel_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores')),
    sa.UniqueConstraint('member_id', 'item_code', name='uq_scores_member_item')
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_org_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_rounds_service_org_id'), ['service_org_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_rounds_service_org_id_service_orgs'), 'service_orgs', ['service_org_id'], ['id'])



def downgrade():
    with op.batch_alter_table('audit_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_rounds_service_org_id_service_orgs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_rounds_service_org_id'))
        batch_op.drop_column('service_org_id')

    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scores_member_id'))

    op.drop_table('scores')
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_members_panel_id'))
        batch_op.drop_index(batch_op.f('ix_panel_members_expert_id'))

    op.drop_table('panel_members')
    with op.batch_alter_table('panel_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_exclusions_draw_id'))

    op.drop_table('panel_exclusions')
    with op.batch_alter_table('panel_draws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_draws_panel_id'))

    op.drop_table('panel_draws')
    with op.batch_alter_table('panels', schema=None) as batch_op:
        batch_op.drop_index('uq_panels_scoring_round', sqlite_where=sa.text("state = 'scoring'"), postgresql_where=sa.text("state = 'scoring'"))
        batch_op.drop_index(batch_op.f('ix_panels_state'))
        batch_op.drop_index(batch_op.f('ix_panels_round_id'))

    op.drop_table('panels')
    op.drop_table('expert_specialties')
    with op.batch_alter_table('expert_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_conflicts_uscc'))
        batch_op.drop_index(batch_op.f('ix_expert_conflicts_expert_id'))

    op.drop_table('expert_conflicts')
    with op.batch_alter_table('service_orgs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_orgs_city_code'))

    op.drop_table('service_orgs')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experts_status'))
        batch_op.drop_index(batch_op.f('ix_experts_name'))
        batch_op.drop_index(batch_op.f('ix_experts_employer_uscc'))

    op.drop_table('experts')
