"""Finding jobs, the way Django finds management commands (django/core/management/__init__.py).

A module in `jobs/catalog/` is a job: `jobs/catalog/daily_report.py` defines the job `daily-report`
as a subclass of Job. Listing the names reads the folder and imports nothing, so `python -m jobs
run NAME` imports only the job it runs. A Django project adds its own jobs without touching this
package: JOB_MODULES names modules that each define `JOBS = [SomeJob, ...]` (classes or instances).
"""

import pkgutil
from importlib import import_module
from pathlib import Path

from django.conf import settings

from jobs.runtime.errors import ConfigurationError
from jobs.runtime.job import Job

CATALOG = "jobs.catalog"
CATALOG_PATH = Path(__file__).resolve().parent.parent / "catalog"


def catalog_names() -> list[str]:
    """The job names of the catalog's modules (`daily_report.py` is `daily-report`)."""
    return sorted(
        module.name.replace("_", "-")
        for module in pkgutil.iter_modules([str(CATALOG_PATH)])
        if not module.ispkg and not module.name.startswith("_")
    )


def catalog_job(name: str) -> Job:
    module = import_module(f"{CATALOG}.{name.replace('-', '_')}")
    found = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Job)
        and value.__module__ == module.__name__
    ]
    if len(found) != 1 or found[0].name != name:
        raise ConfigurationError(
            f"{module.__file__} must define one Job subclass whose name is {name!r}."
        )
    return found[0]()


def module_jobs(module_name: str) -> list[Job]:
    """The jobs a JOB_MODULES module lists in JOBS; classes are instantiated."""
    try:
        listed = list(import_module(module_name).JOBS)
    except (ImportError, AttributeError, TypeError) as e:
        raise ConfigurationError(f"JOB_MODULES: cannot load jobs from {module_name!r}: {e}")
    jobs = [item() if isinstance(item, type) and issubclass(item, Job) else item for item in listed]
    for job in jobs:
        if not isinstance(job, Job):
            raise ConfigurationError(
                f"JOB_MODULES: {module_name}.JOBS holds {job!r}; list Job subclasses, e.g. "
                f"JOBS = [MyJob]."
            )
    return jobs


def project_jobs() -> dict[str, Job]:
    """The jobs of JOB_MODULES, by name; a name defined twice, or by the catalog, is an error."""
    jobs: dict[str, Job] = {}
    builtin = set(catalog_names())
    for module_name in settings.JOB_MODULES:
        for job in module_jobs(module_name):
            if job.name in jobs or job.name in builtin:
                raise ConfigurationError(f"JOB_MODULES: {module_name} defines {job.name!r} again.")
            jobs[job.name] = job
    return jobs


def all_jobs() -> dict[str, Job]:
    """Every job, by name: the catalog's, then the project's."""
    return {**{name: catalog_job(name) for name in catalog_names()}, **project_jobs()}


def find_job(name: str) -> Job:
    """The job called `name`, importing only its own module (and JOB_MODULES)."""
    project = project_jobs()
    if name in project:
        return project[name]
    if name in catalog_names():
        return catalog_job(name)
    known = ", ".join(sorted([*catalog_names(), *project]))
    raise ConfigurationError(f"unknown job {name!r}. Known jobs: {known}.")
