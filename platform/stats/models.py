"""Indexes the statistics need on other features' tables (the tables themselves are theirs).

Statistics join every round to its enterprise and to its scheme totals, filtered and grouped by the
enterprise's city, industry and park and by the round's state and dates. These two covering indexes
let the city drill-down read a city's enterprises and their rounds from index pages alone, in the
order its tables group them (migration 0005_schemes creates them).
"""
from sqlalchemy import Index

from ..audits.models import AuditRound
from ..enterprises.models import Enterprise

ROUNDS_FOR_STATS = Index("ix_audit_rounds_stats", AuditRound.enterprise_id, AuditRound.state, AuditRound.listed_on,
                         AuditRound.started_on, AuditRound.evaluation_concluded_on, AuditRound.acceptance_concluded_on)
ENTERPRISES_FOR_STATS = Index("ix_enterprises_stats", Enterprise.city_code, Enterprise.industry_code,
                              Enterprise.park_id)
