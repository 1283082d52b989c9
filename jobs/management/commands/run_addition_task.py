from jobs.management.commands.runjob import JobCommand


class Command(JobCommand):
    job_name = "addition"
    help = "Run the addition job once: `run_addition_task --x 10 --y 20 [--verbose] [--log-file PATH]`."
