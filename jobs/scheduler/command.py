"""`python -m jobs schedule [--values FILE ...]` (and `manage.py start_scheduler`): the chart's
schedules on this machine. Errors become exit codes in jobs/runtime/cli.py, as for every command:
a bad values file exits 2 at start, naming the entry and the field.

Only the parser is built on the way to other commands: everything else is imported when the
scheduler starts.
"""

from jobs.runtime.options import add_values_option

DESCRIPTION = (
    "Run the chart's schedule entries on this machine, without Kubernetes: each due entry "
    "starts `python -m jobs run JOB ARGS` as its CronJob would. One scheduler per database "
    "leads, others wait on standby. SIGTERM or SIGINT stops it (exit 0), SIGHUP reloads the "
    "values. Exit codes: 0 stopped, 2 usage or configuration error."
)


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "schedule",
        help="run the chart's schedules on this machine (no Kubernetes)",
        description=DESCRIPTION,
    )
    add_values_option(parser, "; SIGHUP reads them again")


def schedule_command(args, stdout) -> int:
    from django.conf import settings

    from jobs import entries
    from jobs.runtime import logs
    from jobs.scheduler import config
    from jobs.scheduler.clock import clock_for
    from jobs.scheduler.leader import leadership
    from jobs.scheduler.loop import Scheduler
    from jobs.scheduler.observe import Metrics
    from jobs.scheduler.wakeup import Wakeup

    logs.configure(stdout, settings.LOG_FORMAT, settings.LOG_LEVEL, settings.SECRET_VALUES)
    clock = clock_for(settings.SCHEDULER_TEST_CLOCK_FILE)

    files = entries.override_files(args.values)  # --values, else CRONSUITE_VALUES

    def load() -> config.Plan:
        return config.load(files, settings.BACKGROUND_JOBS_ENABLED, clock.now())

    plan = load()
    metrics = Metrics()
    server = observe(metrics, settings.SCHEDULER_METRICS_ADDRESS, settings.SCHEDULER_METRICS_PORT)
    scheduler = Scheduler(plan, clock, leadership(), metrics)
    announce(scheduler, files, server)
    wakeup = Wakeup()
    wakeup.install()
    try:
        return scheduler.run(wakeup, load)
    finally:
        wakeup.uninstall()
        if server is not None:
            server.shutdown()


def observe(metrics, host: str, port: int):
    """The /metrics and /healthz server, or None when SCHEDULER_METRICS_PORT is 0."""
    from jobs.runtime.errors import ConfigurationError
    from jobs.scheduler.observe import serve

    if port == 0:
        return None
    try:
        return serve(metrics, host, port)
    except OSError as e:
        raise ConfigurationError(
            f"SCHEDULER_METRICS_ADDRESS and SCHEDULER_METRICS_PORT: cannot listen on "
            f"{host}:{port}: {e.strerror or e}. Set another port, or 0 for none."
        ) from None


def announce(scheduler, values: list[str], server) -> None:
    """The start-up lines: what is scheduled, where its metrics are, which runs DST moves."""
    plan, log = scheduler.plan, scheduler.log
    where = f"http://{server.server_address[0]}:{server.server_address[1]}" if server else None
    log.info(
        "scheduler.started",
        f"Scheduling {len(plan.entries)} entries ({len(plan.suspended)} suspended).",
        values=["values.yaml", *values],
        suspended=plan.suspended,
        metrics=f"{where}/metrics" if where else "off",
    )
    from jobs.scheduler.timing import next_due

    now = scheduler.clock.now()
    for name, planned in plan.entries.items():
        timing = planned.timing
        upcoming = scheduler.local(name, next_due(timing, now))
        log.info(
            "scheduler.entry",
            f"{name}: {timing.schedule} ({timing.time_zone}), next {upcoming}.",
            entry=name,
            job=planned.entry.job,
            args=planned.entry.args,
            concurrency=str(timing.concurrency),
        )
    for warning in plan.warnings:
        log.warning("scheduler.dst", warning)
