"""Which jobs run when. Each job is `callable(as_of) -> summary`, idempotent, and has a CLI twin.

A job is named by its "module:function" and imported when it runs, so the scheduler imports no
feature: each feature keeps its job functions in its own jobs.py.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    id: str
    func: str  # "module:function", imported when run
    trigger: str  # "cron" | "interval"
    args: dict


JOBS = [
    Job("search_drain", "platform.core.indexing.services:drain_job", "interval", {"minutes": 1}),
    Job("compliance_scan", "platform.audits.jobs:scan_job", "cron", {"hour": 1, "minute": 10}),
    Job("deadline_reminders", "platform.audits.jobs:reminders_job", "cron", {"hour": 7, "minute": 0}),
    Job("credit_publish", "platform.credit.jobs:publish_job", "interval", {"minutes": 10}),
    Job("credit_expire", "platform.credit.jobs:expire_job", "cron", {"hour": 0, "minute": 30}),
    Job("expert_notices", "platform.experts.jobs:email_notices", "interval", {"minutes": 10}),
    Job("subscription_digest", "platform.subscriptions.jobs:digest_job", "cron", {"day_of_week": "mon", "hour": 8, "minute": 0}),
]
