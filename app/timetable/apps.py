from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "app.timetable"
    label = "timetable"
