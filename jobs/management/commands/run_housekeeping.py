from jobs.management.commands.runjob import JobCommand


class Command(JobCommand):
    job_name = "housekeeping"
    help = "Run the housekeeping job once: `run_housekeeping [--task stats] [--dry-run]`."
