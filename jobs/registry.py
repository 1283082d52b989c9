"""Every job cronsuite knows, by name. A new job is one module plus one line here.

A Django project can add its own jobs without touching this file: JOB_MODULES names modules
that each define `JOBS = [SomeJob(), ...]`.
"""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jobs.addition import Addition
from jobs.base import Job
from jobs.cleanup_logs import CleanupLogs
from jobs.daily_report import DailyReport
from jobs.health_check import HealthCheck
from jobs.housekeeping import Housekeeping
from jobs.sync_external_data import SyncExternalData
from jobs.sync_schedules import SyncSchedules

BUILTIN_JOBS: list[Job] = [
    Housekeeping(),
    Addition(),
    SyncSchedules(),
    SyncExternalData(),
    CleanupLogs(),
    DailyReport(),
    HealthCheck(),
]


def load_module_jobs(module_name: str) -> list[Job]:
    try:
        return list(import_module(module_name).JOBS)
    except (ImportError, AttributeError) as e:
        raise ImproperlyConfigured(f"JOB_MODULES: cannot load jobs from {module_name!r}: {e}")


def all_jobs(module_names: list[str]) -> dict[str, Job]:
    jobs = {job.name: job for job in BUILTIN_JOBS}
    for module_name in module_names:
        for job in load_module_jobs(module_name):
            if job.name in jobs:
                raise ImproperlyConfigured(
                    f"JOB_MODULES: {module_name} defines {job.name!r} again."
                )
            jobs[job.name] = job
    return jobs


JOBS: dict[str, Job] = all_jobs(settings.JOB_MODULES)
