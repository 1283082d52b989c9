from django.urls import path

from app.timetable import views

urlpatterns = [
    path("update", views.update_groups, name="groups-update"),
]
