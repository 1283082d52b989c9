from django.contrib import admin
from django.urls import include, path

# Every app's admin.py, loaded here rather than by django.setup() (SimpleAdminConfig): only the
# web app serves the admin, and a job process or the scheduler need not import or hold it.
admin.autodiscover()

# The jobs app's views are included by name: app/ never imports jobs/ (docs/layout in README).
urlpatterns = [
    path("", include("jobs.urls")),
    path("api/groups/", include("app.timetable.urls")),
]
