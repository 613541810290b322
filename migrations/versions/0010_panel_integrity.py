"""panel integrity: sealed draws with a published commitment

Revision ID: 0010_panel_integrity
Revises: 0008_witnessed_dates

Each draw gets a nonce and the commitment (SHA-256 over its canonical record, experts/draw.py).
Existing draws are given a fresh nonce and their commitment is computed from what they hold, so
that every draw can be checked the same way; the record format is copied here, as it stands
today, so that a later change to draw.py cannot change what this migration wrote.
"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0010_panel_integrity'
down_revision = '0008_witnessed_dates'
branch_labels = None
depends_on = None


def _commitment(seed: int, nonce: str, requested: int, candidate_ids, exclusions: dict) -> str:
    lines = ["gxcp-panel-draw/1", f"seed={int(seed)}", f"nonce={nonce}", f"requested={int(requested)}",
             "candidates=" + ",".join(str(int(i)) for i in sorted(candidate_ids)),
             "excluded=" + ",".join(f"{int(i)}:{reason}" for i, reason in sorted(exclusions.items()))]
    return hashlib.sha256(("\n".join(lines) + "\n").encode("utf-8")).hexdigest()


def _backfill_commitments(bind) -> None:
    draws = sa.table('panel_draws', sa.column('id', sa.Integer), sa.column('seed', sa.String),
                     sa.column('requested', sa.Integer), sa.column('candidate_ids', sa.JSON),
                     sa.column('nonce', sa.String), sa.column('commitment', sa.String))
    exclusions: dict[int, dict[int, str]] = {}
    for draw_id, expert_id, reason in bind.execute(sa.text(
            "SELECT draw_id, expert_id, reason FROM panel_exclusions")):
        exclusions.setdefault(draw_id, {})[expert_id] = reason
    for draw_id, seed, requested, candidate_ids in bind.execute(
            sa.select(draws.c.id, draws.c.seed, draws.c.requested, draws.c.candidate_ids)).all():
        nonce = secrets.token_hex(16)
        bind.execute(draws.update().where(draws.c.id == draw_id).values(
            nonce=nonce, commitment=_commitment(int(seed), nonce, requested, candidate_ids or [],
                                                exclusions.get(draw_id, {}))))


def upgrade():
    bind = op.get_bind()

    with op.batch_alter_table('panel_draws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('commitment', sa.String(length=64), nullable=True))
    _backfill_commitments(bind)
    with op.batch_alter_table('panel_draws', schema=None) as batch_op:
        batch_op.alter_column('nonce', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('commitment', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_check_constraint(op.f('ck_panel_draws_nonce'), 'length(nonce) = 32')
        batch_op.create_check_constraint(op.f('ck_panel_draws_commitment'), 'length(commitment) = 64')


def downgrade():
    with op.batch_alter_table('panel_draws', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_panel_draws_commitment'), type_='check')
        batch_op.drop_constraint(op.f('ck_panel_draws_nonce'), type_='check')
        batch_op.drop_column('commitment')
        batch_op.drop_column('nonce')
