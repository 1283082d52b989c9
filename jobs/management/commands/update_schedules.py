from jobs.management.commands.runjob import JobCommand


class Command(JobCommand):
    job_name = "sync-timetable"
    help = "Run the sync-timetable job once: ask the app to refresh groups from the timetable feed."
