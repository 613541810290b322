"""panel integrity: sealed draws, four-eyes panel requests, confirmed service engagements, reviewed names

Sealed draws with a published commitment, four-eyes panel requests, expert notices, service
engagements confirmed by the organisation, reviewed name changes and members' published names.

Revision ID: 0011_panel_integrity
Revises: 0010_scheme_revisions

Each draw gets a nonce and the commitment (SHA-256 over its canonical record, experts/draw.py).
Existing draws are given a fresh nonce and their commitment is computed from what they hold, so
that every draw can be checked the same way; the record format is copied here, as it stands
today, so that a later change to draw.py cannot change what this migration wrote.

Every round that names a service organisation today gets a confirmed engagement proposed by the
operator: what was recorded stands (a regulator may correct it), and the history starts here.

Panel members get the name they are published under, taken from the expert's name today (the
name at the time of an old conclusion is not recorded anywhere, so today's is the best there is).
"""
import hashlib
import secrets
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = '0011_panel_integrity'
down_revision = '0010_scheme_revisions'
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

    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discarded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('expert_name', sa.String(length=50), nullable=True))
        batch_op.create_check_constraint(op.f('ck_panel_members_discarded'),
                                         'discarded_at IS NULL OR signed_at IS NOT NULL')
    bind.execute(sa.text("UPDATE panel_members SET expert_name = "
                         "(SELECT e.name FROM experts e WHERE e.id = panel_members.expert_id)"))
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.alter_column('expert_name', existing_type=sa.String(length=50), nullable=False)

    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('pending_name_at', sa.DateTime(), nullable=True))

    op.create_table('panel_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('cancel', 'decline')", name=op.f('ck_panel_requests_kind')),
    sa.CheckConstraint("state IN ('pending', 'approved', 'rejected', 'lapsed')", name=op.f('ck_panel_requests_state')),
    sa.CheckConstraint("kind <> 'decline' OR member_id IS NOT NULL", name=op.f('ck_panel_requests_member')),
    sa.CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name=op.f('ck_panel_requests_decided')),
    sa.CheckConstraint('decided_by_id IS NULL OR decided_by_id <> requested_by_id',
                       name=op.f('ck_panel_requests_four_eyes')),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_panel_requests_panel_id_panels')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_members.id'], name=op.f('fk_panel_requests_member_id_panel_members')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_panel_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_panel_requests_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_requests'))
    )
    with op.batch_alter_table('panel_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_requests_panel_id'), ['panel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_requests_state'), ['state'], unique=False)
        batch_op.create_index('uq_panel_requests_pending_cancel', ['panel_id'], unique=True,
                              sqlite_where=sa.text("state = 'pending' AND kind = 'cancel'"),
                              postgresql_where=sa.text("state = 'pending' AND kind = 'cancel'"))
        batch_op.create_index('uq_panel_requests_pending_decline', ['member_id'], unique=True,
                              sqlite_where=sa.text("state = 'pending' AND kind = 'decline'"),
                              postgresql_where=sa.text("state = 'pending' AND kind = 'decline'"))

    op.create_table('expert_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('panel_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_expert_notices_expert_id_experts')),
    sa.ForeignKeyConstraint(['panel_id'], ['panels.id'], name=op.f('fk_expert_notices_panel_id_panels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_notices'))
    )
    with op.batch_alter_table('expert_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_notices_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_notices_emailed_at'), ['emailed_at'], unique=False)

    op.create_table('service_engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('service_org_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('needs_org', sa.Boolean(), nullable=False),
    sa.Column('org_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('org_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('needs_regulator', sa.Boolean(), nullable=False),
    sa.Column('regulator_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('regulator_approved_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'confirmed', 'refused', 'rejected', 'withdrawn')",
                       name=op.f('ck_service_engagements_state')),
    sa.CheckConstraint("state <> 'confirmed' OR ((NOT needs_org OR org_confirmed_at IS NOT NULL) "
                       "AND (NOT needs_regulator OR regulator_approved_at IS NOT NULL))",
                       name=op.f('ck_service_engagements_confirmed')),
    sa.CheckConstraint('NOT needs_org OR service_org_id IS NOT NULL', name=op.f('ck_service_engagements_needs_org')),
    sa.CheckConstraint("state = 'pending' OR decided_at IS NOT NULL", name=op.f('ck_service_engagements_decided')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_service_engagements_round_id_audit_rounds')),
    sa.ForeignKeyConstraint(['service_org_id'], ['service_orgs.id'],
                            name=op.f('fk_service_engagements_service_org_id_service_orgs')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_service_engagements_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['org_confirmed_by_id'], ['users.id'],
                            name=op.f('fk_service_engagements_org_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['regulator_approved_by_id'], ['users.id'],
                            name=op.f('fk_service_engagements_regulator_approved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_engagements'))
    )
    with op.batch_alter_table('service_engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_engagements_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_engagements_service_org_id'), ['service_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_engagements_state'), ['state'], unique=False)
        batch_op.create_index('uq_service_engagements_pending_round', ['round_id'], unique=True,
                              sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))
    bind.execute(sa.text(
        "INSERT INTO service_engagements (round_id, service_org_id, state, proposed_by_id, proposed_at, reason, "
        "needs_org, needs_regulator, decided_at) "
        "SELECT id, service_org_id, 'confirmed', NULL, :now, :reason, :no, :no, :now "
        "FROM audit_rounds WHERE service_org_id IS NOT NULL"),
        {"reason": "平台升级前已登记的服务机构", "no": False,
         "now": datetime.now(timezone.utc).replace(tzinfo=None)})


def downgrade():
    op.drop_table('service_engagements')
    op.drop_table('expert_notices')
    op.drop_table('panel_requests')
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_column('pending_name_at')
        batch_op.drop_column('pending_name')
    with op.batch_alter_table('panel_members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_panel_members_discarded'), type_='check')
        batch_op.drop_column('expert_name')
        batch_op.drop_column('discarded_at')
    with op.batch_alter_table('panel_draws', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_panel_draws_commitment'), type_='check')
        batch_op.drop_constraint(op.f('ck_panel_draws_nonce'), type_='check')
        batch_op.drop_column('commitment')
        batch_op.drop_column('nonce')
