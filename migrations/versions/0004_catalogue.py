"""technology catalogue and search index queue

Revision ID: 0004_catalogue
Revises: 0003_scheduler
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_catalogue'
down_revision = '0003_scheduler'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('index_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_name', sa.String(length=40), nullable=False),
    sa.Column('doc_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_queue'))
    )
    op.create_table('technologies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('scope', sa.Text(), nullable=True),
    sa.Column('principle', sa.Text(), nullable=True),
    sa.Column('indicators', sa.Text(), nullable=True),
    sa.Column('benefits', sa.Text(), nullable=True),
    sa.Column('case_study', sa.Text(), nullable=True),
    sa.Column('investment', sa.String(length=200), nullable=True),
    sa.Column('maturity', sa.String(length=10), nullable=True),
    sa.Column('key_regions', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('source_year', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("category IN ('源头减量', '过程控制', '末端治理')", name=op.f('ck_technologies_category')),
    sa.CheckConstraint("maturity IS NULL OR maturity IN ('推广', '示范')", name=op.f('ck_technologies_maturity')),
    sa.CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name=op.f('ck_technologies_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technologies')),
    sa.UniqueConstraint('name', 'source', name='uq_technologies_name_source')
    )
    with op.batch_alter_table('technologies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technologies_status'), ['status'], unique=False)

    op.create_table('technology_industries',
    sa.Column('technology_id', sa.Integer(), nullable=False),
    sa.Column('industry_code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['industry_code'], ['industries.code'], name=op.f('fk_technology_industries_industry_code_industries')),
    sa.ForeignKeyConstraint(['technology_id'], ['technologies.id'], name=op.f('fk_technology_industries_technology_id_technologies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('technology_id', 'industry_code', name=op.f('pk_technology_industries'))
    )


def downgrade():
    op.drop_table('technology_industries')
    with op.batch_alter_table('technologies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technologies_status'))

    op.drop_table('technologies')
    op.drop_table('index_queue')
