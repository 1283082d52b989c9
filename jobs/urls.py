from django.contrib import admin
from django.urls import path, re_path
from django.views.generic import RedirectView

from jobs.web import api, dashboard, health

to_dashboard = RedirectView.as_view(pattern_name="scheduler-dashboard")

urlpatterns = [
    path("admin/scheduler/", dashboard.dashboard, name="scheduler-dashboard"),
    path("admin/scheduler/board/", dashboard.board_fragment, name="scheduler-board"),
    path(
        "admin/scheduler/<str:entry_name>/run/",
        dashboard.run_now_page,
        name="scheduler-run-now-page",
    ),
    # The Schedules page's old address, and the old scheduler dashboard's and login addresses.
    path("admin/entries/", to_dashboard, name="admin-entries"),
    re_path(r"^scheduler-admin/?$", to_dashboard, name="old-scheduler-dashboard"),
    re_path(
        r"^api/auth/login/?$",
        RedirectView.as_view(url="/admin/login/?next=/admin/scheduler/"),
    ),
    path("admin/", admin.site.urls),
    # The scheduler API, at the URLs the old scheduler dashboard published.
    path("api/admin/scheduler/status", api.Status.as_view(), name="scheduler-status"),
    path("api/admin/scheduler/trigger", api.Trigger.as_view(), name="scheduler-run-now"),
    path("api/admin/scheduler/statistics", api.Statistics.as_view(), name="scheduler-statistics"),
    path("api/admin/scheduler/runs/<str:name>", api.Run.as_view(), name="scheduler-run"),
    re_path(r"^api/admin/(?P<path>.*)$", api.NoSuchEndpoint.as_view()),
    path("healthz", health.healthz, name="healthz"),
]
