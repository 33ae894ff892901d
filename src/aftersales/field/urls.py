from django.urls import path

from .views import appointments, dispatch, printing, schedule, signoff, supervision, visits

app_name = "field"
urlpatterns = [
    path("dispatch/", dispatch.dispatch_board, name="dispatch_board"),
    path("dispatch/<int:pk>/assign/", dispatch.dispatch_assign_view, name="dispatch_assign"),
    path("dispatch/<int:pk>/why/", dispatch.dispatch_why, name="dispatch_why"),
    path("workorders/<int:pk>/appointments/", appointments.appointment_book_view, name="appointment_book"),
    path(
        "appointments/<int:pk>/reschedule/",
        appointments.appointment_reschedule_view,
        name="appointment_reschedule",
    ),
    path("appointments/<int:pk>/cancel/", appointments.appointment_cancel_view, name="appointment_cancel"),
    path("calendar/", appointments.calendar_view, name="calendar"),
    path("schedule/", schedule.schedule_view, name="schedule"),
    path("schedule/book/", schedule.schedule_book_view, name="schedule_book"),
    path("schedule/map/", schedule.schedule_map_view, name="schedule_map"),
    path("workorders/<int:pk>/task-form/", printing.task_form_view, name="task_form"),
    path("today/", visits.today_view, name="today"),
    path("workorders/<int:pk>/visits/", visits.visit_plan_view, name="visit_plan"),
    path("appointments/<int:pk>/visit/", visits.visit_from_appointment_view, name="visit_from_appointment"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/do/<str:action>/", visits.VisitTransitionView.as_view(), name="visit_transition"),
    path("visits/<int:pk>/record/", visits.VisitRecordView.as_view(), name="visit_record"),
    path("visits/<int:pk>/parts/", visits.VisitPartAddView.as_view(), name="visit_part_add"),
    path(
        "visits/<int:pk>/parts/request/", visits.VisitPartsRequestView.as_view(), name="visit_parts_request"
    ),
    path(
        "visits/<int:pk>/parts/<int:part_pk>/remove/", visits.visit_part_remove_view, name="visit_part_remove"
    ),
    path("visits/<int:pk>/photos/", visits.VisitPhotoAddView.as_view(), name="visit_photo"),
    path("visits/<int:pk>/internal/", visits.VisitInternalView.as_view(), name="visit_internal"),
    path("visits/<int:pk>/sign/", signoff.VisitSignView.as_view(), name="visit_sign"),
    path("visits/<int:pk>/refuse/", signoff.VisitRefuseView.as_view(), name="visit_refuse"),
    path("visits/<int:pk>/complete/", visits.VisitCompleteView.as_view(), name="visit_complete"),
    path("visits/<int:pk>/service-form/", printing.visit_service_form_view, name="visit_service_form"),
    path(
        "visits/<int:pk>/warranty-record/",
        printing.visit_warranty_record_view,
        name="visit_warranty_record",
    ),
    path("supervision/", supervision.SupervisionCardListView.as_view(), name="supervision_list"),
    path(
        "supervision/export.xlsx", supervision.SupervisionCardExportView.as_view(), name="supervision_export"
    ),
    path(
        "supervision/<int:pk>/do/<str:action>/",
        supervision.SupervisionCardTransitionView.as_view(),
        name="supervision_transition",
    ),
    path("supervision/<int:pk>/print/", printing.supervision_card_print_view, name="supervision_print"),
]
