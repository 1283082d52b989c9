from django.contrib import admin
from django.urls import path

from jobs.web import api, entries, health

urlpatterns = [
    path("admin/entries/", admin.site.admin_view(entries.entries_view), name="admin-entries"),
    path(
        "admin/entries/<str:entry_name>/run/",
        admin.site.admin_view(entries.run_now_view),
        name="admin-entries-run",
    ),
    path("admin/", admin.site.urls),
    # The scheduler API's URLs as the previous scheduler dashboard published them.
    path("api/admin/scheduler/status", api.status, name="scheduler-status"),
    path("api/admin/scheduler/trigger", api.run_now, name="scheduler-run-now"),
    path("api/admin/scheduler/statistics", api.statistics, name="scheduler-statistics"),
    path("healthz", health.healthz, name="healthz"),
]
