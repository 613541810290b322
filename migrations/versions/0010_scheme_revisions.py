"""scheme revisions after the report, the plausibility review of scheme figures, withdrawn schemes

Revision ID: 0010_scheme_revisions
Revises: 0009_login_sessions

Existing schemes are assessed against the default ceilings (platform/schemes/rules.py, as they stand
in this revision): a figure above its ceiling becomes 待核实 and, like every such figure from now on,
leaves its round's totals until a regulator confirms it. The totals of those rounds are recomputed.
"""
from decimal import Decimal

from alembic import op
import sqlalchemy as sa

revision = '0010_scheme_revisions'
down_revision = '0009_login_sessions'
branch_labels = None
depends_on = None

# column: (label, unit, default ceiling)
CEILINGS = {
    'investment_wan_yuan': ('投资', '万元', '100000'),
    'energy_tce': ('节能量', 'tce', '100000'),
    'water_t': ('节水量', 't', '10000000'),
    'electricity_kwh': ('节电量', 'kWh', '100000000'),
    'cod_t': ('COD削减量', 't', '1000'),
    'nh3n_t': ('氨氮削减量', 't', '200'),
    'nox_t': ('氮氧化物削减量', 't', '2000'),
    'vocs_t': ('VOCs削减量', 't', '500'),
    'so2_t': ('二氧化硫削减量', 't', '3000'),
    'particulates_t': ('颗粒物削减量', 't', '1000'),
    'co2_t': ('二氧化碳减排量', 't', '300000'),
    'hazardous_waste_t': ('危险废物减量', 't', '10000'),
    'economic_benefit_wan_yuan': ('经济效益', '万元/年', '20000'),
}
AMOUNTS = list(CEILINGS)


def upgrade():
    with op.batch_alter_table('schemes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('review_reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_schemes_review_status'), ['review_status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_schemes_reviewed_by_id_users'), 'users', ['reviewed_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_schemes_review_status'),
                                         "review_status IN ('pending', 'confirmed', 'rejected')")
    with op.batch_alter_table('scheme_totals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schemes_under_review', sa.Integer(), server_default='0', nullable=False))

    op.create_table('scheme_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('create', 'change', 'withdraw', 'progress')", name=op.f('ck_scheme_revisions_kind')),
    sa.CheckConstraint("state IN ('pending', 'approved', 'rejected', 'applied')",
                       name=op.f('ck_scheme_revisions_state')),
    sa.CheckConstraint("kind = 'create' OR scheme_id IS NOT NULL", name=op.f('ck_scheme_revisions_scheme')),
    sa.ForeignKeyConstraint(['round_id'], ['audit_rounds.id'], name=op.f('fk_scheme_revisions_round_id_audit_rounds')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'],
                            name=op.f('fk_scheme_revisions_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'], name=op.f('fk_scheme_revisions_scheme_id_schemes')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_scheme_revisions_requested_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_scheme_revisions_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_revisions'))
    )
    with op.batch_alter_table('scheme_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheme_revisions_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheme_revisions_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheme_revisions_scheme_id'), ['scheme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheme_revisions_state'), ['state'], unique=False)
        batch_op.create_index('uq_scheme_revisions_pending', ['scheme_id'], unique=True,
                              sqlite_where=sa.text("state = 'pending'"), postgresql_where=sa.text("state = 'pending'"))

    _flag_implausible(op.get_bind())


def _plain(value: Decimal) -> str:
    value = Decimal(str(value))
    return f"{value.quantize(Decimal(1))}" if value == value.to_integral_value() else f"{value.normalize()}"


def _flag_implausible(bind):
    above = " OR ".join(f"{column} > {ceiling}" for column, (_l, _u, ceiling) in CEILINGS.items())
    rows = bind.execute(sa.text(f"SELECT id, round_id, {', '.join(AMOUNTS)} FROM schemes WHERE {above}")
                        ).mappings().all()
    schemes = sa.table('schemes', sa.column('id', sa.Integer), sa.column('review_status', sa.String),
                       sa.column('review_reasons', sa.JSON))
    rounds = set()
    for row in rows:
        reasons = {}
        for column, (label, unit, ceiling) in CEILINGS.items():
            if Decimal(str(row[column])) > Decimal(ceiling):
                reasons[column] = f"{label} {_plain(row[column])} {unit} 超过单个方案的合理上限 {_plain(ceiling)} {unit}"
        bind.execute(schemes.update().where(schemes.c.id == row['id']).values(review_status='pending',
                                                                               review_reasons=reasons))
        rounds.add(row['round_id'])
    if rounds:
        _recompute_totals(bind, "(review_status IS NULL OR review_status = 'confirmed')",
                          f"round_id IN ({', '.join(str(r) for r in sorted(rounds))})", with_review=True)


def _recompute_totals(bind, counted: str, where: str, *, with_review: bool):
    """The totals of the rounds `where` selects, as schemes.services.totals_select computes them."""
    def e4(expression):
        return f"COALESCE(SUM(CAST(ROUND(({expression}) * 10000) AS BIGINT)), 0)"

    columns = ['round_id', 'schemes_total', 'schemes_completed', 'schemes_abandoned', 'schemes_low_cost',
               'schemes_high_cost', 'investment_planned_wan_yuan_e4', *(c + '_e4' for c in AMOUNTS)]
    values = ["round_id", "COUNT(id)", "SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END)",
              "SUM(CASE WHEN status = 'abandoned' THEN 1 ELSE 0 END)",
              "SUM(CASE WHEN category = 'low_cost' THEN 1 ELSE 0 END)",
              "SUM(CASE WHEN category = 'high_cost' THEN 1 ELSE 0 END)",
              e4(f"CASE WHEN status <> 'abandoned' AND {counted} THEN investment_wan_yuan ELSE 0 END"),
              *(e4(f"CASE WHEN status = 'completed' AND {counted} THEN {c} ELSE 0 END") for c in AMOUNTS)]
    if with_review:
        columns.append('schemes_under_review')
        values.append(f"SUM(CASE WHEN {counted} THEN 0 ELSE 1 END)")
    bind.execute(sa.text(f"DELETE FROM scheme_totals WHERE {where}"))
    bind.execute(sa.text(f"INSERT INTO scheme_totals ({', '.join(columns)}) SELECT {', '.join(values)} "
                         f"FROM schemes WHERE {where} GROUP BY round_id"))


def downgrade():
    with op.batch_alter_table('scheme_revisions', schema=None) as batch_op:
        batch_op.drop_index('uq_scheme_revisions_pending')
        batch_op.drop_index(batch_op.f('ix_scheme_revisions_state'))
        batch_op.drop_index(batch_op.f('ix_scheme_revisions_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_scheme_revisions_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_scheme_revisions_round_id'))
    op.drop_table('scheme_revisions')
    with op.batch_alter_table('scheme_totals', schema=None) as batch_op:
        batch_op.drop_column('schemes_under_review')
    with op.batch_alter_table('schemes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_schemes_review_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_schemes_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_schemes_review_status'))
        for column in ('withdrawn_at', 'review_note', 'reviewed_at', 'reviewed_by_id', 'review_reasons',
                       'review_status'):
            batch_op.drop_column(column)
    # Withdrawn schemes and held-back figures count again, as they did before this revision.
    _recompute_totals(op.get_bind(), "1 = 1", "1 = 1", with_review=False)
