"""cache stamps: the stamp of the data public pages show (platform/pagecache.py)

Revision ID: 0013_cache_stamps
Revises: 0012_sector_targets

One row, set to a new random value by every transaction that writes what a public page could show;
the page cache keeps an answer only while the stamp it was built under is still the current one.
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = '0013_cache_stamps'
down_revision = '0012_sector_targets'
branch_labels = None
depends_on = None


def upgrade():
    stamps = op.create_table('cache_stamps',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_stamps'))
    )
    op.bulk_insert(stamps, [{'name': 'data', 'stamp': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('cache_stamps')
