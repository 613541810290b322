"""Mandatory-audit lists built from evidence (issue 15): discharge permits, monitoring exceedances,
energy data and declared priority chemicals are imported; candidates follow by rule (《清洁生产审核办法》
第八条); a city proposes, the province confirms (核定) and publishes the list with its 文号."""
