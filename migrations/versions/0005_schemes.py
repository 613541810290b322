"""clean-production schemes

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
    pass


def downgrade():
    pass
