from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/days/", views.official_day_add, name="official_day_add"),
    path("calendar/import/", views.official_schedule_import, name="official_schedule_import"),
    path("calendar/template/", views.official_schedule_template, name="official_schedule_template"),
]
