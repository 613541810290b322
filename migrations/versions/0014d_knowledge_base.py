"""knowledge base: documents (indicator systems, audit guides, case compilations, the product-oriented
catalogue, policy documents) with their versions, approval and industries

Revision ID: 0014d_knowledge_base
Revises: 0014c_two_high_results
"""
from alembic import op
import sqlalchemy as sa

revision = '0014d_knowledge_base'
down_revision = '0014c_two_high_results'
branch_labels = None
depends_on = None

KINDS = ("indicator_system", "audit_guide", "case_compilation", "product_catalogue", "policy")
STATUSES = ("draft", "pending", "published")
CURRENCIES = ("current", "superseded")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        'knowledge_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('issuer', sa.String(length=200), nullable=False),
        sa.Column('document_no', sa.String(length=100), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('edition', sa.String(length=50), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('pdf_original_name', sa.String(length=255), nullable=True),
        sa.Column('pdf_stored_name', sa.String(length=100), nullable=True),
        sa.Column('pdf_size', sa.Integer(), nullable=True),
        sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
        sa.Column('supersedes_id', sa.Integer(), nullable=True),
        sa.Column('currency', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(), nullable=True),
        sa.Column('review_note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(_in('kind', KINDS), name=op.f('ck_knowledge_documents_kind')),
        sa.CheckConstraint(_in('status', STATUSES), name=op.f('ck_knowledge_documents_status')),
        sa.CheckConstraint(_in('currency', CURRENCIES), name=op.f('ck_knowledge_documents_currency')),
        sa.CheckConstraint('supersedes_id IS NULL OR supersedes_id <> id', name=op.f('ck_knowledge_documents_not_self')),
        sa.CheckConstraint('body IS NOT NULL OR pdf_stored_name IS NOT NULL',
                           name=op.f('ck_knowledge_documents_has_content')),
        sa.CheckConstraint('pdf_size IS NULL OR pdf_size > 0', name=op.f('ck_knowledge_documents_pdf_size')),
        sa.ForeignKeyConstraint(['supersedes_id'], ['knowledge_documents.id'],
                                name=op.f('fk_knowledge_documents_supersedes_id_knowledge_documents')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_knowledge_documents_created_by_id_users')),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'],
                                name=op.f('fk_knowledge_documents_approved_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_documents')),
        sa.UniqueConstraint('supersedes_id', name=op.f('uq_knowledge_documents_supersedes_id')),
    )
    op.create_index(op.f('ix_knowledge_documents_kind'), 'knowledge_documents', ['kind'], unique=False)
    op.create_index(op.f('ix_knowledge_documents_status'), 'knowledge_documents', ['status'], unique=False)
    op.create_table(
        'knowledge_document_industries',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('industry_code', sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['knowledge_documents.id'], ondelete='CASCADE',
                                name=op.f('fk_knowledge_document_industries_document_id_knowledge_documents')),
        sa.ForeignKeyConstraint(['industry_code'], ['industries.code'],
                                name=op.f('fk_knowledge_document_industries_industry_code_industries')),
        sa.PrimaryKeyConstraint('document_id', 'industry_code', name=op.f('pk_knowledge_document_industries')),
    )


def downgrade():
    op.drop_table('knowledge_document_industries')
    op.drop_index(op.f('ix_knowledge_documents_status'), table_name='knowledge_documents')
    op.drop_index(op.f('ix_knowledge_documents_kind'), table_name='knowledge_documents')
    op.drop_table('knowledge_documents')
