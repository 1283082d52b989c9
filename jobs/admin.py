from django.contrib import admin

from jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "entry",
        "job",
        "status",
        "trigger",
        "duration",
        "exit_code",
        "host",
        "error",
    ]
    list_filter = ["status", "job", "entry", "trigger", "started_at"]
    search_fields = ["entry", "job", "error", "host", "kubernetes_job"]
    date_hierarchy = "started_at"
    change_list_template = "admin/runs/jobrun/change_list.html"

    # The history is a record of what happened: nobody edits it by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="duration (s)")
    def duration(self, run):
        seconds = run.duration_seconds
        return None if seconds is None else round(seconds, 2)
