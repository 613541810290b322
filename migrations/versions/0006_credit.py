"""penalties, credit records and deliveries

Revision ID: 0006_credit
Revises: 0005_schemes
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_credit'
down_revision = '0005_schemes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
