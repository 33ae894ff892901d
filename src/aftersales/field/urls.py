from django.urls import path

from . import printing, views

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
    path("workorders/<int:pk>/task-form/", printing.task_form_view, name="task_form"),
    path("today/", views.today_view, name="today"),
    path("workorders/<int:pk>/visits/", views.visit_plan_view, name="visit_plan"),
    path("appointments/<int:pk>/visit/", views.visit_from_appointment_view, name="visit_from_appointment"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/do/<str:action>/", views.visit_transition_view, name="visit_transition"),
    path("visits/<int:pk>/record/", views.visit_record_view, name="visit_record"),
    path("visits/<int:pk>/parts/", views.visit_part_add_view, name="visit_part_add"),
    path(
        "visits/<int:pk>/parts/<int:part_pk>/remove/", views.visit_part_remove_view, name="visit_part_remove"
    ),
    path("visits/<int:pk>/photos/", views.visit_photo_view, name="visit_photo"),
    path("visits/<int:pk>/internal/", views.visit_internal_view, name="visit_internal"),
    path("visits/<int:pk>/sign/", views.visit_sign_view, name="visit_sign"),
    path("visits/<int:pk>/refuse/", views.visit_refuse_view, name="visit_refuse"),
    path("visits/<int:pk>/complete/", views.visit_complete_view, name="visit_complete"),
    path("visits/<int:pk>/service-form/", views.visit_service_form_view, name="visit_service_form"),
    path("visits/<int:pk>/warranty-record/", views.visit_warranty_record_view, name="visit_warranty_record"),
    path("supervision/", views.supervision_list_view, name="supervision_list"),
    path("supervision/export.xlsx", views.supervision_export_view, name="supervision_export"),
    path(
        "supervision/<int:pk>/do/<str:action>/",
        views.supervision_transition_view,
        name="supervision_transition",
    ),
    path("supervision/<int:pk>/print/", views.supervision_card_print_view, name="supervision_print"),
]
