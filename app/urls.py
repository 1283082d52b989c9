from django.contrib import admin
from django.urls import include, path

from app.runs import api
from app.runs.schedules import run_now_view, schedules_view
from app.runs.views import healthz

urlpatterns = [
    path("admin/schedules/", admin.site.admin_view(schedules_view), name="admin-schedules"),
    path(
        "admin/schedules/<str:entry_name>/run/",
        admin.site.admin_view(run_now_view),
        name="admin-schedules-run",
    ),
    path("admin/", admin.site.urls),
    path("api/admin/scheduler/status", api.status, name="scheduler-status"),
    path("api/admin/scheduler/trigger", api.trigger, name="scheduler-trigger"),
    path("api/admin/scheduler/statistics", api.statistics, name="scheduler-statistics"),
    path("healthz", healthz, name="healthz"),
    path("api/groups/", include("app.timetable.urls")),
]
