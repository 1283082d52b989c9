"""The run history in the admin, read-only: every run with its status as a colour and a word, the
error readable in the list, exact times, duration, exit code and meaning, and on its page the
full traceback and who pressed Run now. Runs are never added, edited or deleted by hand
(cleanup-logs prunes them); neither are the suspension records. The admin's index links to the
scheduler dashboard (jobs/web/dashboard.py)."""

from django.contrib import admin
from django.utils.html import format_html

from jobs import entries as chart
from jobs.models import JobRun, SuspensionRecord
from jobs.runtime.discovery import catalog_names
from jobs.web import words
from jobs.web.board import Shown
from jobs.web.paging import CappedPaginator
from jobs.web.sources import chart_entries

admin.site.site_header = admin.site.site_title = "cronsuite"
admin.site.index_template = "admin/runs/index.html"
# The app list beside every page costs the run history a third of a 1400 px screen; the index
# lists the same apps.
admin.site.enable_nav_sidebar = False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntryFilter(admin.SimpleListFilter):
    """The chart's entries, from its values: no query over the history (DISTINCT over a million
    runs is what Django's default filter would cost)."""

    title = "entry"
    parameter_name = "entry"

    def lookups(self, request, model_admin):
        try:
            names = [entry.name for entry in chart_entries()]
        except chart.ValuesError:
            names = []
        if self.value() and self.value() not in names:
            names.append(self.value())  # an entry only the cluster has (an override)
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(entry=self.value()) if self.value() else queryset


class JobFilter(EntryFilter):
    title = "job"
    parameter_name = "job"

    def lookups(self, request, model_admin):
        return [(name, name) for name in catalog_names()]

    def queryset(self, request, queryset):
        return queryset.filter(job=self.value()) if self.value() else queryset


def exact(moment) -> str:
    return words.exact(moment) or "-"


@admin.register(JobRun)
class JobRunAdmin(ReadOnly):
    list_display = [
        "started",
        "entry",
        "status_badge",
        "error_summary",
        "duration",
        "exit_code_listed",
        "trigger",
        "job",
    ]
    list_display_links = ["started"]
    list_filter = ["status", EntryFilter, JobFilter, "trigger", "started_at"]
    search_fields = ["entry", "job", "error", "host", "kubernetes_job", "started_by"]
    # No COUNT over the whole history: one that stops past 10,000, and none for the total.
    paginator = CappedPaginator
    show_full_result_count = False
    # Sorting a million runs by another column would read them all: newest first only.
    sortable_by = ["started"]
    change_list_template = "admin/runs/jobrun/change_list.html"
    # The page's summary (its template) shows status, times, exit code, error and traceback.
    fields = [
        "entry",
        "job",
        "arguments",
        "counts",
        "status",
        "exit_code",
        "trigger",
        "scheduled",
        "started_by",
        "kubernetes_job",
        "host",
        "started",
        "finished",
    ]
    readonly_fields = ["started", "finished", "scheduled"]

    class Media:
        css = {"all": ["runs/board.css"]}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match.url_name.endswith("changelist"):
            # The list never shows these; a traceback alone may be 20 kB a run.
            return queryset.defer("traceback", "arguments", "counts")
        return queryset

    @admin.display(description="started", ordering="started_at")
    def started(self, run):
        return exact(run.started_at)

    @admin.display(description="finished")
    def finished(self, run):
        return exact(run.finished_at)

    @admin.display(description="scheduled for")
    def scheduled(self, run):
        return exact(run.scheduled_for)

    @admin.display(description="status")
    def status_badge(self, run):
        return format_html(
            '<span class="badge tone-{}">{}</span>', words.tone(run.status), run.status
        )

    @admin.display(description="error")
    def error_summary(self, run):
        if not run.error:
            return ""
        return format_html('<span class="error" title="{}">{}</span>', run.error, run.error[:200])

    @admin.display(description="duration")
    def duration(self, run):
        return words.duration(run.started_at, run.finished_at) or "-"

    @admin.display(description="exit code")
    def exit(self, run):
        return words.exit_meaning(run.exit_code) or "-"

    @admin.display(description="exit code")
    def exit_code_listed(self, run):
        # 0 says "succeeded, or skipped": the status column already says which.
        return "0" if run.exit_code == 0 else self.exit(run)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(shown=Shown(obj))
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(SuspensionRecord)
class SuspensionRecordAdmin(ReadOnly):
    list_display = ["changed_at", "entry", "suspended", "changed_by", "reason", "location"]
    list_filter = ["suspended", "changed_at"]
    search_fields = ["entry", "changed_by", "reason"]
