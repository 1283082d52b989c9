from django.urls import include, path

# The jobs app's views are included by name: app/ never imports jobs/ (docs/layout in README).
urlpatterns = [
    path("", include("jobs.urls")),
    path("api/groups/", include("app.timetable.urls")),
]
