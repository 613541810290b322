"""The platform's infrastructure: what every feature stands on and which knows no feature.

The database and its column helpers, errors, forms and page helpers, the calendar, the rule
registry, uploads and spreadsheets, mail, the audit log, reference data, the search queue, the
scheduler, backups, access and the JSON API toolkit. Nothing here imports a feature
(tests/foundation/test_layers.py).
"""
