from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("dispatch/", views.dispatch_board, name="dispatch_board"),
    path("dispatch/<int:pk>/assign/", views.dispatch_assign_view, name="dispatch_assign"),
    path("workorders/<int:pk>/appointments/", views.appointment_book_view, name="appointment_book"),
    path(
        "appointments/<int:pk>/reschedule/", views.appointment_reschedule_view, name="appointment_reschedule"
    ),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel_view, name="appointment_cancel"),
    path("calendar/", views.calendar_view, name="calendar"),
]
