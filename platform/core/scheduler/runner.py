"""Running APScheduler under the lease: in-process under `make run`, or `flask scheduler run`.

Jobs sit in APScheduler's SQLAlchemy job store. A keeper thread renews the lease; only the
holder's scheduler is running, and every job run checks the lease again before it starts, so
two instances started together never run a job twice.
"""
import importlib
import logging
import threading

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from . import services
from .jobs import JOBS

log = logging.getLogger(__name__)
RENEW_SECONDS = 30  # a third of the lease (SCHEDULER_LEASE_SECONDS / 3 when that is set)


def _resolve(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


# Jobs in the SQLAlchemy store are pickled, so they name the running scheduler instead of carrying it.
_active: "LeasedScheduler | None" = None


def _run(job_id: str, func_path: str) -> None:
    scheduler = _active
    if scheduler is None:
        return
    with scheduler.app.app_context():
        services.run_job(job_id, _resolve(func_path), scheduler.holder)


class LeasedScheduler:
    def __init__(self, app: Flask):
        self.app = app
        self.holder = services.new_holder_id()
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=app.config["SQLALCHEMY_DATABASE_URI"])},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone="Asia/Shanghai")
        self._stop = threading.Event()
        lease = app.config.get("SCHEDULER_LEASE_SECONDS")
        self.renew_seconds = float(lease) / 3 if lease else RENEW_SECONDS
        self._thread = threading.Thread(target=self._keep_lease, name="scheduler-lease", daemon=True)

    def start(self) -> None:
        global _active
        _active = self
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self.app.app_context():
            services.release(self.holder)

    def _keep_lease(self) -> None:
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    holding = services.acquire(self.holder)
            except Exception:  # the database may be away for a moment; try again
                log.exception("scheduler lease renewal failed")
                holding = False
            if holding and not self.scheduler.running:
                self._start_scheduler()
            elif not holding and self.scheduler.running:
                log.warning("scheduler lease lost; pausing jobs")
                self.scheduler.pause()
            elif holding and self.scheduler.state == 2:  # STATE_PAUSED
                self.scheduler.resume()
            self._stop.wait(self.renew_seconds)

    def _start_scheduler(self) -> None:
        # SCHEDULER_TRIGGERS replaces a job's trigger, e.g. {"credit_publish": {"trigger": "interval", "seconds": 3}}
        # (the multi-process test runs every job every few seconds).
        triggers = self.app.config.get("SCHEDULER_TRIGGERS") or {}
        for job in JOBS:
            when = dict(triggers.get(job.id) or {"trigger": job.trigger, **job.args})
            self.scheduler.add_job("platform.core.scheduler.runner:_run", when.pop("trigger", job.trigger), id=job.id,
                                   replace_existing=True, args=[job.id, job.func], **when)
        self.scheduler.start()
        log.info("scheduler started as %s with %d jobs", self.holder, len(JOBS))
