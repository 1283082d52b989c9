from app.runs.management.commands.runjob import JobCommand


class Command(JobCommand):
    job_name = "sync-schedules"
    help = "Run the sync-schedules job once: ask the app to refresh groups from the timetable feed."
