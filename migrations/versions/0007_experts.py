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
    pass


def downgrade():
    pass
