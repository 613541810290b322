"""Which jobs run when. Each job is `callable(as_of) -> summary`, idempotent, and has a CLI twin."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    id: str
    func: str  # "module:function", imported when run
    trigger: str  # "cron" | "interval"
    args: dict


def _scan(as_of):
    from ...audits.jobs import compliance_scan

    return "\n".join(compliance_scan(as_of).lines())


def _reminders(as_of):
    from ...audits.jobs import send_reminders

    return f"新增提醒 {send_reminders(as_of)} 条"


def _drain_search(as_of):
    from ..indexing.services import drain, reindex

    result = drain()
    rebuilt = result["outdated"]
    for index in rebuilt:  # a new mapping version after an upgrade: rebuild, then send what waited
        reindex(index)
    if rebuilt:
        result = drain()
    return (("已按新映射重建索引 " + "、".join(rebuilt) + "；" if rebuilt else "")
            + f"已同步 {result['sent']} 条，队列剩余 {result['queued']} 条"
            + ("（搜索服务不可用）" if result["unavailable"] else ""))


JOBS = [
    Job("search_drain", "platform.core.scheduler.jobs:_drain_search", "interval", {"minutes": 1}),
    Job("compliance_scan", "platform.core.scheduler.jobs:_scan", "cron", {"hour": 1, "minute": 10}),
    Job("deadline_reminders", "platform.core.scheduler.jobs:_reminders", "cron", {"hour": 7, "minute": 0}),
    Job("credit_publish", "platform.credit.jobs:publish_job", "interval", {"minutes": 10}),
    Job("credit_expire", "platform.credit.jobs:expire_job", "cron", {"hour": 0, "minute": 30}),
    Job("expert_notices", "platform.experts.jobs:email_notices", "interval", {"minutes": 10}),
]


def register(job: Job) -> None:
    """Features add their jobs here at import time (search indexing, credit publishing)."""
    if all(j.id != job.id for j in JOBS):
        JOBS.append(job)
